package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;

/**
 * What the tests of a process ended while another CPU runs a system call as it share
 * ({@link TaskKillInSyscallTest}, {@link TaskExitInSyscallTest}): /job with a task holding a
 * pipe with bytes in it (a charged page from 4.8), cpu1 closing the pipe's read end as the task
 * and stopped at an interleaving point, and the check that the task released everything.
 */
record SyscallScene(Task task, CpuThread cpu1) {
    /** The scene, cpu1 stopped at {@code point} ({@link Kernel#SYSCALL}, {@link Kernel#BEFORE_RUNNING}) of the close. */
    static SyscallScene stoppedAt(Kernel k, InterleavingPoint point) {
        k.cgroupfs().mkdir("/job");
        Task task = k.spawn("/job");
        int[] pipe = task.pipe();
        task.write(pipe[1], new byte[100]);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        cpu1.runUntil(point, () -> task.close(pipe[0]));
        return new SyscallScene(task, cpu1);
    }

    /** Asserts that {@code call} fails with {@code ESRCH}. */
    static void assertEsrch(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
    }

    /** The task left its cgroup, which can go, and freed what it held (the checks find no page). */
    static void assertReleased(Kernel k) {
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertThat(k.tasks()).isEmpty();
        k.cgroupfs().rmdir("/job");
        k.get(Rcu.class).rcuBarrier();                   // 4.18 deactivates the job's cache clones after RCU
        k.get(Cpus.class).flushWork();                   // and a work item
        k.drainAllStock();
        assertThat(k.checkConsistency()).isEmpty();
    }
}
