package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.SyscallScene.assertEsrch;
import static org.mmemu.kernel.SyscallScene.assertReleased;

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
    @Eras(memory = "64M")
    void aTaskInASystemCallOnAnotherCpuKeepsWhatTheCallUsesAndExitsOnItsWayOut(Kernel k) {
        SyscallScene s = SyscallScene.stoppedAt(k, Kernel.SYSCALL);

        s.task().exit();
        assertThat(s.task().isAlive()).as("still in its system call on cpu1").isTrue();
        assertThat(s.task().taskStruct().mm()).as("its mm, which cpu1 uses").isNotNull();
        assertThat(s.task().taskStruct().files()).as("its fd table, which cpu1 uses").isNotNull();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(s.task().pid() + "\n");
        assertEsrch(s.task()::exit);    // exiting: no thread of it is back in user space to call
        s.task().kill();                // a SIGKILL to an exiting process is accepted, and changes nothing
        assertThat(s.task().isAlive()).isTrue();

        s.cpu1().release(); // the close completes as the task's
        s.cpu1().finish();
        assertThat(s.task().isAlive()).as("exited on its way back to user space").isFalse();
        assertEsrch(s.task()::exit);
        assertEsrch(s.task()::kill);
        assertReleased(k);
    }

    @Eras(memory = "64M")
    void aTaskExitingJustBeforeACpuRunsItExitsAtOnceAndTheCallFailsWithEsrch(Kernel k) {
        SyscallScene s = SyscallScene.stoppedAt(k, Kernel.BEFORE_RUNNING);

        s.task().exit();
        assertThat(s.task().isAlive()).as("no CPU ran it: exited at once").isFalse();
        assertThat(s.task().taskStruct().mm()).isNull();

        assertEsrch(s.cpu1()::release);
        s.cpu1().finish();
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
        SyscallScene s = SyscallScene.stoppedAt(k, Kernel.SYSCALL);
        s.task().exit();

        k.cgroupfs().write("/job/memory.max", "0");
        assertThat(k.get(CgroupTree.class).lookup("/job").events().local(MemcgEvent.OOM))
                .as("an OOM happened").isPositive();
        assertThat(k.get(CgroupTree.class).lookup("/job").events().local(MemcgEvent.OOM_KILL))
                .as("oom_kill").isZero();
        assertThat(k.log().contains("Killed process")).as("dmesg").isFalse();
        assertThat(s.task().isAlive()).as("still in its system call on cpu1").isTrue();

        s.cpu1().release();
        s.cpu1().finish();
        assertThat(s.task().isAlive()).isFalse();
        k.cgroupfs().write("/job/memory.max", "max");
        assertReleased(k);
    }
}
