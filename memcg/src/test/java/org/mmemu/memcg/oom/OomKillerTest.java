package org.mmemu.memcg.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.sched.TaskHooks;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.ChargeSemantics;
import org.mmemu.memcg.FakeTaskMemory;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.memcg.fs.CgroupFs;
import org.mmemu.memcg.stat.MemcgEvent;

class OomKillerTest {
    private final FakeTaskMemory memory = new FakeTaskMemory();
    private final List<TaskStruct> tasks = new ArrayList<>();
    private MemcgMachine m = boot(MemcgConfig.LATEST);
    private CgroupFs fs = m.injector.getInstance(CgroupFs.class);

    private MemcgMachine boot(MemcgConfig config) {
        MemcgMachine machine = MemcgMachine.boot(config,
                binder -> {
                    MemcgModule.taskMemory(binder).addBinding().toInstance(memory);
                    TaskHooks.exitHooks(binder).add(memory);
                });
        memory.attach(machine);
        return machine;
    }

    private void reboot(MemcgConfig config) {
        m = boot(config);
        fs = m.injector.getInstance(CgroupFs.class);
    }

    private TaskStruct task(String comm, MemCgroup memcg) {
        TaskStruct t = m.userTask(comm, memcg);
        tasks.add(t);
        return t;
    }

    @AfterEach
    void noLeaks() {
        memory.releaseAll();
        tasks.forEach(m.tree::exit);
        for (String dir : List.of("/job/a", "/job/b", "/job")) {
            if (m.tree.lookup(dir) != null) {
                fs.rmdir(dir);
            }
        }
        m.assertNoLeaks();
    }

    @Test
    void theChargePathKillsTheLargestTaskAndTheChargeSucceeds() {
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/memory.max", "32K");
        TaskStruct big = task("big", job);
        TaskStruct small = task("small", job);
        assertThat(memory.allocate(big, 6)).isEqualTo(6);
        assertThat(memory.allocate(small, 2)).isEqualTo(2);

        assertThat(memory.allocate(small, 1)).as("retried after the kill").isEqualTo(1);
        assertThat(big.hasFlag(TaskStruct.PF_EXITING)).isTrue();
        assertThat(big.mm()).isNull();
        assertThat(fs.read("/job/cgroup.procs")).isEqualTo(small.pid() + "\n");
        assertThat(fs.readLong("/job/memory.current")).isEqualTo(3 * 4096);
        assertThat(fs.read("/job/memory.events")).contains("\noom 1\noom_kill 1\n");
        assertThat(m.log.contains("Memory cgroup out of memory: Killed process " + big.pid() + " (big)")).isTrue();
    }

    @Test
    void oomScoreAdjMinIsNeverChosenAndAKilledChargerFailsItsCharge() {
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/memory.max", "32K");
        TaskStruct big = task("big", job);
        TaskStruct small = task("small", job);
        big.setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MIN);
        memory.allocate(big, 6);
        memory.allocate(small, 2);
        assertThat(memory.allocate(small, 1)).as("the charger itself was the victim").isZero();
        assertThat(small.hasFlag(TaskStruct.PF_EXITING)).as("it cannot exit inside its own charge").isFalse();
        assertThat(fs.read("/job/memory.events")).contains("\noom_kill 1\n");
        assertThat(m.oom.exitKilled(small)).isTrue();
        assertThat(small.hasFlag(TaskStruct.PF_EXITING)).isTrue();
        assertThat(big.hasFlag(TaskStruct.PF_EXITING)).isFalse();
        assertThat(fs.readLong("/job/memory.current")).isEqualTo(6 * 4096);
        assertThat(m.oom.exitKilled(big)).as("never killed").isFalse();
    }

    @Test
    void withNobodyKillableTheLatestKernelFailsAnd510Forces() {
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/memory.max", "8K");
        TaskStruct t = task("t", job);
        t.setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MIN);
        assertThat(memory.allocate(t, 3)).isEqualTo(2);
        assertThat(job.events().local(MemcgEvent.OOM)).isEqualTo(1);
        assertThat(job.events().local(MemcgEvent.OOM_KILL)).isZero();
        memory.releaseAll();
        tasks.forEach(m.tree::exit);
        fs.rmdir("/job");
        m.assertNoLeaks();

        reboot(MemcgConfig.LATEST.withChargeSemantics(ChargeSemantics.V5_10));
        MemCgroup job510 = fs.mkdir("/job");
        fs.write("/job/memory.max", "8K");
        TaskStruct u = task("u", job510);
        u.setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MIN);
        assertThat(memory.allocate(u, 3)).as("OOM_FAILED forces the charge").isEqualTo(3);
        assertThat(job510.memory().read()).isEqualTo(3);
    }

    @Test
    void v48ChargesNeverKill() {
        reboot(MemcgConfig.LATEST.withChargeSemantics(ChargeSemantics.V4_8).withChargeBatch(32));
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/memory.max", "8K");
        TaskStruct big = task("big", job);
        memory.allocate(big, 2);
        TaskStruct other = task("other", job);
        assertThat(memory.allocate(other, 1)).isZero();
        assertThat(big.hasFlag(TaskStruct.PF_EXITING)).isFalse();
        assertThat(job.events().local(MemcgEvent.OOM)).isEqualTo(1);
    }

    @Test
    void oomGroupKillsTheWholeSubtreeExceptUnkillables() {
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/cgroup.subtree_control", "+memory");
        MemCgroup a = fs.mkdir("/job/a");
        MemCgroup b = fs.mkdir("/job/b");
        fs.write("/job/memory.max", "40K");
        fs.write("/job/memory.oom.group", "1");
        TaskStruct t1 = task("t1", a);
        TaskStruct t2 = task("t2", b);
        TaskStruct keep = task("keep", b);
        keep.setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MIN);
        memory.allocate(t1, 5);
        memory.allocate(t2, 3);
        memory.allocate(keep, 2);
        TaskStruct late = task("late", a);
        assertThat(memory.allocate(late, 1)).as("the retry after the kills fits").isEqualTo(1);
        assertThat(m.oom.exitKilled(late)).as("the charger was in the group too").isTrue();
        assertThat(List.of(t1, t2, late)).allMatch(t -> t.hasFlag(TaskStruct.PF_EXITING));
        assertThat(keep.hasFlag(TaskStruct.PF_EXITING)).isFalse();
        assertThat(fs.read("/job/memory.events")).isEqualTo(
                "low 0\nhigh 0\nmax 18\noom 1\noom_kill 3\noom_group_kill 1\n");
        assertThat(fs.read("/job/a/memory.events.local")).contains("oom_kill 2\n");
        assertThat(fs.read("/job/b/memory.events.local")).contains("oom_kill 1\n");
        assertThat(m.log.contains("Tasks in /job are going to be killed due to memory.oom.group set")).isTrue();
    }

    @Test
    void loweringMemoryMaxKillsUntilUsageFits() {
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/memory.max", "1M");
        TaskStruct a = task("a", job);
        TaskStruct b = task("b", job);
        TaskStruct c = task("c", job);
        memory.allocate(a, 3);
        memory.allocate(b, 5);
        memory.allocate(c, 2);
        fs.write("/job/memory.max", "20K");
        assertThat(b.hasFlag(TaskStruct.PF_EXITING)).isTrue();
        assertThat(a.hasFlag(TaskStruct.PF_EXITING)).isFalse();
        assertThat(fs.readLong("/job/memory.current")).isEqualTo(5 * 4096);
        assertThat(job.events().local(MemcgEvent.OOM)).isEqualTo(1);
        assertThat(job.events().local(MemcgEvent.OOM_KILL)).isEqualTo(1);
    }

    @Test
    void oomScoreAdjCountsInThousandthsOfTheLimit() {
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/memory.max", "4M");
        TaskStruct a = task("a", job);
        TaskStruct b = task("b", job);
        TaskStruct c = task("c", job);
        memory.allocate(a, 600);
        memory.allocate(b, 400);
        b.setOomScoreAdj(300);  // 400 + 300 * (1024 / 1000) = 700 points > 600
        assertThat(memory.allocate(c, 30)).isEqualTo(30);
        assertThat(b.hasFlag(TaskStruct.PF_EXITING)).isTrue();
        assertThat(a.hasFlag(TaskStruct.PF_EXITING)).isFalse();
    }

    @Test
    void belowAThousandPagesTheAdjustmentVanishesAndTiesGoToTheLastTask() {
        MemCgroup job = fs.mkdir("/job");
        TaskStruct a = task("a", job);
        TaskStruct b = task("b", job);
        TaskStruct c = task("c", job);
        memory.allocate(a, 4);
        memory.allocate(b, 4);
        memory.allocate(c, 1);
        c.setOomScoreAdj(1000);     // 1000 * (8 pages / 1000) = 0
        fs.write("/job/memory.max", "32K");
        assertThat(b.hasFlag(TaskStruct.PF_EXITING)).as("a and b tie; the later one is chosen").isTrue();
        assertThat(a.hasFlag(TaskStruct.PF_EXITING)).isFalse();
        assertThat(c.hasFlag(TaskStruct.PF_EXITING)).isFalse();
    }

    @Test
    void aWriterThatLowersItsOwnLimitAndIsChosenStopsAndExitsOnReturn() {
        MemCgroup job = fs.mkdir("/job");
        TaskStruct writer = task("writer", job);
        TaskStruct other = task("other", job);
        memory.allocate(writer, 6);
        memory.allocate(other, 2);
        try (var s = m.tasks.enter(writer)) {
            fs.write("/job/memory.max", "4K");
        }
        assertThat(m.oom.fatalSignalPending(writer)).isTrue();
        assertThat(other.hasFlag(TaskStruct.PF_EXITING)).as("the loop stopped at the writer's signal").isFalse();
        assertThat(m.oom.exitKilled(writer)).isTrue();
        assertThat(fs.readLong("/job/memory.current")).isEqualTo(2 * 4096);
    }

    @Test
    void aKilledWriterOfMemoryReclaimIsInterrupted() {
        MemCgroup job = fs.mkdir("/job");
        TaskStruct writer = task("writer", job);
        memory.allocate(writer, 6);
        try (var s = m.tasks.enter(writer)) {
            fs.write("/job/memory.max", "4K");
            assertThatThrownBy(() -> fs.write("/job/memory.reclaim", "1M")).isInstanceOf(ErrnoException.class)
                    .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EINTR);
            fs.write("/job/memory.reclaim", "0");
        }
        assertThatThrownBy(() -> fs.write("/job/memory.reclaim", "1M")).as("another writer")
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EAGAIN);
        assertThat(m.oom.exitKilled(writer)).isTrue();
    }

    @Test
    void aVictimThatNeverReturnedIsReapedByTheNextOom() {
        MemCgroup job = fs.mkdir("/job");
        fs.write("/job/memory.max", "16K");
        TaskStruct a = task("a", job);
        TaskStruct b = task("b", job);
        memory.allocate(b, 1);
        memory.allocate(a, 3);
        assertThat(memory.allocate(a, 1)).isZero();
        assertThat(m.oom.fatalSignalPending(a)).as("a chose itself and is still inside its charge").isTrue();
        assertThat(memory.allocate(b, 1)).as("b's OOM reaps a instead of killing b").isEqualTo(1);
        assertThat(a.hasFlag(TaskStruct.PF_EXITING)).isTrue();
        assertThat(b.hasFlag(TaskStruct.PF_EXITING)).isFalse();
        assertThat(job.events().local(MemcgEvent.OOM_KILL)).isEqualTo(1);
    }
}
