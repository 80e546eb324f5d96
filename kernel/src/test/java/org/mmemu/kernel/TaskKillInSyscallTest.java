package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.kernel.junit.Eras;

/**
 * {@link Task#kill} of a process that another CPU is running a system call as: SIGKILL is only
 * made pending ({@code kill_pid_info} → {@code __send_signal_locked}, {@code signal_wake_up}),
 * the call finishes as the process, and the process exits on its way back to user space
 * ({@code exit_to_user_mode} → {@code get_signal} → {@code do_group_exit}). A process that no
 * CPU runs dies at once and never runs again, however close a CPU was to starting it.
 */
class TaskKillInSyscallTest {
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
    void aTaskInASystemCallOnAnotherCpuFinishesItAndExitsOnItsWayOut(Kernel k) {
        Scene s = scene(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.SYSCALL, () -> s.task().close(s.pipe()[0]));

        s.task().kill();
        assertThat(s.task().taskStruct().fatalSignalPending()).as("SIGKILL pending").isTrue();
        assertThat(s.task().isAlive()).as("still in its system call on cpu1").isTrue();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(s.task().pid() + "\n");
        s.task().kill();    // a second SIGKILL to a live task is sent too, and changes nothing

        cpu1.release();     // the close completes as the task's (its fd table is still there)
        cpu1.finish();
        assertThat(s.task().isAlive()).as("exited on its way back to user space").isFalse();
        assertThatThrownBy(s.task()::kill).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
        assertReleased(k);
    }

    @Eras(memory = "64M")
    void aTaskKilledJustBeforeACpuRunsItExitsAtOnceAndTheCallFailsWithEsrch(Kernel k) {
        Scene s = scene(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(Kernel.BEFORE_RUNNING, () -> s.task().close(s.pipe()[0]));

        s.task().kill();
        assertThat(s.task().isAlive()).as("no CPU ran it: exited at once").isFalse();

        assertThatThrownBy(cpu1::release).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
        cpu1.finish();
        assertReleased(k);
    }
}
