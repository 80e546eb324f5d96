package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.stat.MemcgEvent;

/**
 * {@link Task#exit} of a process that another CPU is running a system call as, as
 * {@code exit_group(2)} does it ({@code do_group_exit} → {@code zap_other_threads}): the call
 * finishes with the mm and fds it uses, and the process exits when that CPU takes it back to
 * user space; meanwhile it is exiting, not killed (no OOM kill is counted for it). A process
 * that no CPU runs exits at once and never runs again.
 */
class TaskExitInSyscallTest {
    /** /job with a task holding a pipe with bytes in it (a charged page from 4.8). */
    private record Scene(Task task, int[] pipe) {
    }

    private static Scene scene(Kernel k) {
        k.cgroupfs().mkdir("/job");
        Task task = k.spawn("/job");
        int[] pipe = task.pipe();
        task.write(pipe[1], new byte[100]);
        return new Scene(task, pipe);
    }

    private static void assertEsrch(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
    }

    /** The task left its cgroup, which can go, and freed what it held (the checks find no page). */
    private static void assertReleased(Kernel k) {
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertThat(k.tasks()).isEmpty();
        k.cgroupfs().rmdir("/job");
        k.get(Rcu.class).rcuBarrier();                   // 4.18 deactivates the job's cache clones after RCU
        k.get(Cpus.class).flushWork();                   // and a work item
        k.drainAllStock();
        assertThat(k.checkConsistency()).isEmpty();
    }

    @Eras(memory = "64M")
    void aTaskInASystemCallOnAnotherCpuKeepsWhatTheCallUsesAndExitsOnItsWayOut(Kernel k) {
        Scene s = scene(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.SYSCALL, () -> s.task().close(s.pipe()[0]));

        s.task().exit();
        assertThat(s.task().isAlive()).as("still in its system call on cpu1").isTrue();
        assertThat(s.task().taskStruct().mm()).as("its mm, which cpu1 uses").isNotNull();
        assertThat(s.task().taskStruct().files()).as("its fd table, which cpu1 uses").isNotNull();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(s.task().pid() + "\n");
        assertEsrch(s.task()::exit);    // exiting: no thread of it is back in user space to call
        s.task().kill();                // a SIGKILL to an exiting process is accepted, and changes nothing
        assertThat(s.task().isAlive()).isTrue();

        cpu1.release();     // the close completes as the task's
        cpu1.finish();
        assertThat(s.task().isAlive()).as("exited on its way back to user space").isFalse();
        assertEsrch(s.task()::exit);
        assertEsrch(s.task()::kill);
        assertReleased(k);
    }

    @Eras(memory = "64M")
    void aTaskExitingJustBeforeACpuRunsItExitsAtOnceAndTheCallFailsWithEsrch(Kernel k) {
        Scene s = scene(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.BEFORE_RUNNING, () -> s.task().close(s.pipe()[0]));

        s.task().exit();
        assertThat(s.task().isAlive()).as("no CPU ran it: exited at once").isFalse();
        assertThat(s.task().taskStruct().mm()).isNull();

        assertEsrch(cpu1::release);
        cpu1.finish();
        assertEsrch(s.task()::exit);
        assertReleased(k);
    }

    /**
     * An OOM in the cgroup of a process exiting on another CPU finds its exit under way
     * ({@code task_will_free_mem} in {@code oom_kill_process}): it is no kill, neither counted
     * nor logged. 4.7 charges nothing the task holds here, so no OOM happens there.
     */
    @Eras(from = Era.V4_8, memory = "64M")
    void anOomFindingAnExitingTaskDoesNotKillIt(Kernel k) {
        Scene s = scene(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.SYSCALL, () -> s.task().close(s.pipe()[0]));
        s.task().exit();

        k.cgroupfs().write("/job/memory.max", "0");
        assertThat(k.get(CgroupTree.class).lookup("/job").events().local(MemcgEvent.OOM))
                .as("an OOM happened").isPositive();
        assertThat(k.get(CgroupTree.class).lookup("/job").events().local(MemcgEvent.OOM_KILL))
                .as("oom_kill").isZero();
        assertThat(k.log().contains("Killed process")).as("dmesg").isFalse();
        assertThat(s.task().isAlive()).as("still in its system call on cpu1").isTrue();

        cpu1.release();
        cpu1.finish();
        assertThat(s.task().isAlive()).isFalse();
        k.cgroupfs().write("/job/memory.max", "max");
        assertReleased(k);
    }
}
