package org.mmemu.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.InitRlimits;
import org.mmemu.core.cred.UserStructs;
import org.mmemu.core.fs.OpenFiles;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.sched.Tasks.TaskScope;

/** current, the idle tasks, and switching tasks on a CPU. */
class TasksTest {
    private final Cpus cpus = new Cpus(2);
    private final Tasks tasks = new Tasks(cpus, InitRlimits.Eras.MLOCK_8M, new UserStructs(), new OpenFiles());

    @Test
    void eachCpuStartsInItsSwapperKernelThread() {
        for (int i = 0; i < cpus.nrCpus(); i++) {
            cpus.bind(i);
            TaskStruct idle = tasks.current();
            assertThat(idle.comm()).isEqualTo("swapper/" + i);
            assertThat(idle.pid()).isZero();
            assertThat(idle.hasFlag(TaskStruct.PF_KTHREAD)).isTrue();
            assertThat(idle.mm()).isNull();
        }
        cpus.unbind();
    }

    @Test
    void enterSwitchesCurrentAndCloseRestoresIt() {
        TaskStruct idle = tasks.current();
        MmStruct mm = new MmStruct();
        TaskStruct bash = tasks.create("bash", mm);
        TaskStruct kworker = tasks.createKthread("kworker/0:1");
        try (TaskScope outer = tasks.enter(bash)) {
            assertThat(tasks.current()).isSameAs(bash);
            try (TaskScope inner = tasks.enter(kworker)) {
                assertThat(tasks.current()).isSameAs(kworker);
            }
            assertThat(tasks.current()).isSameAs(bash);
        }
        assertThat(tasks.current()).isSameAs(idle);
        assertThat(bash.mm()).isSameAs(mm);
        assertThat(bash.hasFlag(TaskStruct.PF_KTHREAD)).isFalse();
        assertThat(kworker.hasFlag(TaskStruct.PF_KTHREAD)).isTrue();
        assertThat(kworker.mm()).isNull();
        assertThat(kworker.pid()).isEqualTo(bash.pid() + 1);
        assertThat(bash).hasToString("bash[" + bash.pid() + "]");
        cpus.unbind();
    }

    @Test
    void taskFieldsBehave() {
        TaskStruct t = tasks.create("cat", null);
        assertThat(t.pid()).isPositive();
        t.setFlag(TaskStruct.PF_MEMALLOC | TaskStruct.PF_EXITING);
        assertThat(t.hasFlag(TaskStruct.PF_MEMALLOC)).isTrue();
        t.clearFlag(TaskStruct.PF_MEMALLOC);
        assertThat(t.flags()).isEqualTo(TaskStruct.PF_EXITING);
        assertThat(t.setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MIN)).isZero();
        assertThat(t.oomScoreAdj()).isEqualTo(-1000);
        assertThat(t.setOomScoreAdj(1001)).as("out of range").isEqualTo(Errno.EINVAL.negative());
        assertThat(t.setOomScoreAdj(-1001)).as("out of range").isEqualTo(Errno.EINVAL.negative());
        assertThat(t.oomScoreAdj()).as("left as it was").isEqualTo(-1000);
        MmStruct mm = new MmStruct();
        t.setMm(mm);
        assertThat(t.mm()).isSameAs(mm);
    }

    @Test
    void jiffiesOnlyMoveForward() {
        Jiffies j = new Jiffies();
        assertThat(j.now()).isZero();
        j.advance(Jiffies.HZ);
        assertThat(j.now()).isEqualTo(1000);
        assertThatThrownBy(() -> j.advance(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(j.now()).isEqualTo(1000);
    }

    @Test
    void eachModuleKeepsItsOwnStateInItsKeysSlot() {
        TaskStruct.Key<String> memcg = TaskStruct.Key.named("memcg");
        TaskStruct.Key<Integer> other = TaskStruct.Key.named("other");
        TaskStruct t = tasks.create("cat", null);
        assertThat(t.get(memcg)).isNull();

        t.set(memcg, "/job");
        assertThat(t.get(memcg)).isEqualTo("/job");
        assertThat(t.get(other)).as("another module's slot").isNull();
        assertThat(t.getOrCreate(other, () -> 7)).isEqualTo(7);
        assertThat(t.getOrCreate(other, () -> 8)).as("created once").isEqualTo(7);
        assertThat(tasks.create("dog", null).get(memcg)).as("per task").isNull();

        t.set(memcg, null);
        assertThat(t.get(memcg)).isNull();
    }

    @Test
    void thePidTableFindsTasksUntilTheyAreUnhashed() {
        TaskStruct t = tasks.create("cat", null);
        assertThat(tasks.findTaskByVpid(t.pid())).isSameAs(t);
        assertThat(tasks.findTaskByVpid(0)).as("the idle tasks are not in it").isNull();
        assertThat(tasks.tasks()).contains(t);

        tasks.unhash(t);
        assertThat(tasks.findTaskByVpid(t.pid())).isNull();
        assertThat(tasks.tasks()).doesNotContain(t);
    }
}
