package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.SyscallScene.assertEsrch;
import static org.mmemu.kernel.SyscallScene.assertReleased;

import org.mmemu.kernel.junit.Eras;

/**
 * {@link Task#kill} of a process that another CPU is running a system call as: SIGKILL is only
 * made pending ({@code kill_pid_info} → {@code __send_signal_locked}, {@code signal_wake_up}),
 * the call finishes as the process, and the process exits on its way back to user space
 * ({@code exit_to_user_mode} → {@code get_signal} → {@code do_group_exit}). A process that no
 * CPU runs dies at once and never runs again, however close a CPU was to starting it.
 */
class TaskKillInSyscallTest {
    @Eras(memory = "64M")
    void aTaskInASystemCallOnAnotherCpuFinishesItAndExitsOnItsWayOut(Kernel k) {
        SyscallScene s = SyscallScene.stoppedAt(k, Kernel.SYSCALL);

        s.task().kill();
        assertThat(s.task().taskStruct().fatalSignalPending()).as("SIGKILL pending").isTrue();
        assertThat(s.task().isAlive()).as("still in its system call on cpu1").isTrue();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(s.task().pid() + "\n");
        s.task().kill();    // a second SIGKILL to a live task is sent too, and changes nothing

        s.cpu1().release(); // the close completes as the task's (its fd table is still there)
        s.cpu1().finish();
        assertThat(s.task().isAlive()).as("exited on its way back to user space").isFalse();
        assertEsrch(s.task()::kill);
        assertReleased(k);
    }

    @Eras(memory = "64M")
    void aTaskKilledJustBeforeACpuRunsItExitsAtOnceAndTheCallFailsWithEsrch(Kernel k) {
        SyscallScene s = SyscallScene.stoppedAt(k, Kernel.BEFORE_RUNNING);

        s.task().kill();
        assertThat(s.task().isAlive()).as("no CPU ran it: exited at once").isFalse();

        assertEsrch(s.cpu1()::release);
        s.cpu1().finish();
        assertReleased(k);
    }
}
