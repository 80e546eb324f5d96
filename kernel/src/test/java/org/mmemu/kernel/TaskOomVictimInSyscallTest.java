package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.OomKiller;
import org.mmemu.memcg.stat.MemcgEvent;

/**
 * The memcg OOM killer choosing a task that another CPU is running a system call as: the
 * victim is only SIGKILLed and marked ({@code __oom_kill_process}, mm/oom_kill.c), goes on with
 * its call, and exits itself on its way back to user space ({@code exit_to_user_mode} →
 * {@code do_exit}); meanwhile the next OOM passes it over ({@code oom_evaluate_task} skips a
 * victim whose mm the oom_reaper is done with, {@code MMF_OOM_SKIP}). A victim that no CPU runs
 * exits at once and never runs again, however close a CPU was to starting it.
 *
 * <p>The OOM comes from a {@code memory.max} write below the cgroup's usage
 * ({@code memory_max_write} → {@code mem_cgroup_out_of_memory}), which kills in every era
 * from 4.8 (4.7 charges nothing the victim holds here: its usage is 0, within any limit).
 */
class TaskOomVictimInSyscallTest {
    /** /job with a victim of oom_score_adj 1000 holding a pipe (its fds). */
    private record Scene(Task victim, int[] pipe) {
    }

    private static Scene scene(Kernel k) {
        k.cgroupfs().mkdir("/job");
        Task victim = k.spawn("victim", "/job");
        victim.setOomScoreAdj(1000);
        int[] pipe = victim.pipe();
        victim.write(pipe[1], new byte[100]);
        return new Scene(victim, pipe);
    }

    /** The cgroup's oom_kill events (counted in every era; memory.events shows them from 4.13). */
    private static long oomKills(Kernel k) {
        return k.get(CgroupTree.class).lookup("/job").events().local(MemcgEvent.OOM_KILL);
    }

    private static void lowerMaxBelowUsage(Kernel k) {
        k.cgroupfs().write("/job/memory.max", "0");
    }

    @Eras(from = Era.V4_8, memory = "64M")
    void aVictimInASystemCallOnAnotherCpuFinishesItAndExitsOnItsWayOut(Kernel k) {
        Scene s = scene(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.SYSCALL, () -> s.victim().close(s.pipe()[0]));

        lowerMaxBelowUsage(k);
        assertThat(oomKills(k)).as("oom_kill").isEqualTo(1);
        assertThat(k.get(OomKiller.class).fatalSignalPending(s.victim().taskStruct())).as("SIGKILL pending").isTrue();
        assertThat(s.victim().isAlive()).as("still in its system call on cpu1").isTrue();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(s.victim().pid() + "\n");

        cpu1.release();     // the close completes as the task's (its fd table is still there)
        cpu1.finish();
        assertThat(s.victim().isAlive()).as("exited on its way back to user space").isFalse();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).as("its pgd and pipe released").isZero();
    }

    @Eras(from = Era.V4_8, memory = "64M")
    void aVictimKilledJustBeforeACpuRunsItExitsAtOnceAndTheCallFailsWithEsrch(Kernel k) {
        Scene s = scene(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.BEFORE_RUNNING, () -> s.victim().close(s.pipe()[0]));

        lowerMaxBelowUsage(k);
        assertThat(oomKills(k)).as("oom_kill").isEqualTo(1);
        assertThat(s.victim().isAlive()).as("no CPU ran it: exited at once").isFalse();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();

        assertThatThrownBy(cpu1::release).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
        cpu1.finish();
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).as("its pgd and pipe released").isZero();
    }

    @Eras(from = Era.V4_8, memory = "64M")
    void theNextOomPassesOverAVictimStillInItsCallAndKillsAnother(Kernel k) {
        Scene s = scene(k);
        Task other = k.spawn("other", "/job");
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.SYSCALL, () -> s.victim().close(s.pipe()[0]));

        lowerMaxBelowUsage(k);
        assertThat(oomKills(k)).as("oom_kill: the victim, then the other").isEqualTo(2);
        assertThat(other.isAlive()).as("no CPU ran it: exited at once").isFalse();
        assertThat(s.victim().isAlive()).as("still in its system call on cpu1").isTrue();

        cpu1.release();
        cpu1.finish();
        assertThat(s.victim().isAlive()).isFalse();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
    }
}
