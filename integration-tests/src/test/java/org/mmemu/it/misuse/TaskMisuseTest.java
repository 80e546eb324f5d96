package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.it.misuse.Misuses.assertErrno;
import static org.mmemu.it.misuse.Misuses.assertReturns;

import java.util.function.Consumer;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;

/** Misuses of processes and their fd tables: the facade's {@code Task} and the kernel's {@code files_struct}. */
class TaskMisuseTest {
    /** {@code call} on a process that exited: {@code ESRCH}, and nothing else happens. */
    private static void assertDeadTaskRefuses(Kernel k, Consumer<Task> call) {
        Witness w = Witness.of(k);
        k.cgroupfs().mkdir("/job");
        Task dead = k.spawn("/job");
        dead.exit();
        w.mark();

        assertErrno(Errno.ESRCH, () -> call.accept(dead));

        assertThat(k.tasks()).containsExactly(w.task());
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        w.assertUnchangedAndRelease();
    }

    /** fork of a dead process. */
    @Eras(value = Era.LATEST, memory = "64M")
    void forkOfADeadTaskIsESRCH(Kernel k) {
        assertDeadTaskRefuses(k, Task::fork);
    }

    /** exit twice. */
    @Eras(value = Era.LATEST, memory = "64M")
    void exitOfADeadTaskIsESRCH(Kernel k) {
        assertDeadTaskRefuses(k, Task::exit);
    }

    /** kill of a dead process. */
    @Eras(value = Era.LATEST, memory = "64M")
    void killOfADeadTaskIsESRCH(Kernel k) {
        assertDeadTaskRefuses(k, Task::kill);
    }

    /** A dead process moved to another cgroup. */
    @Eras(value = Era.LATEST, memory = "64M")
    void moveOfADeadTaskIsESRCH(Kernel k) {
        assertDeadTaskRefuses(k, t -> t.moveTo(Witness.CGROUP));
    }

    /** close by a dead process. */
    @Eras(value = Era.LATEST, memory = "64M")
    void closeByADeadTaskIsESRCH(Kernel k) {
        assertDeadTaskRefuses(k, t -> t.close(0));
    }

    /** oom_score_adj of a dead process. */
    @Eras(value = Era.LATEST, memory = "64M")
    void oomScoreAdjOfADeadTaskIsESRCH(Kernel k) {
        assertDeadTaskRefuses(k, t -> t.setOomScoreAdj(0));
    }

    /** Running kernel code as a dead process. */
    @Eras(value = Era.LATEST, memory = "64M")
    void enteringADeadTaskIsESRCH(Kernel k) {
        assertDeadTaskRefuses(k, t -> k.enter(t).close());
    }

    /** oom_score_adj outside -1000..1000: {@code EINVAL}, and the value stays. */
    @Eras(value = Era.LATEST, memory = "64M")
    void oomScoreAdjOutOfRangeIsEINVAL(Kernel k) {
        Witness w = Witness.of(k);
        w.task().setOomScoreAdj(500);
        w.mark();

        assertErrno(Errno.EINVAL, () -> w.task().setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MAX + 1));
        assertErrno(Errno.EINVAL, () -> w.task().setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MIN - 1));

        assertThat(w.task().taskStruct().oomScoreAdj()).isEqualTo(500);
        w.assertUnchangedAndRelease();
    }

    /** close of an fd that is not open: {@code EBADF}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void closeOfABadFdIsEBADF(Kernel k) {
        Witness w = Witness.of(k);
        w.mark();

        assertErrno(Errno.EBADF, () -> w.task().close(3));
        w.assertUnchangedAndRelease();
    }

    /** dup of an fd that is not open: {@code -EBADF}, and no fd is taken. */
    @Eras(value = Era.LATEST, memory = "64M")
    void dupOfABadFdIsEBADF(Kernel k) {
        Witness w = Witness.of(k);
        TaskStruct t = w.task().taskStruct();
        FilesStruct files = t.files();
        w.mark();

        assertReturns(Errno.EBADF, files.dup(7, t.rlimit(Rlimits.RLIMIT_NOFILE)));

        assertThat(files.openFds()).isEmpty();
        w.assertUnchangedAndRelease();
    }

    /** dup2 of an fd that is not open: {@code -EBADF}, and the target stays free. */
    @Eras(value = Era.LATEST, memory = "64M")
    void dup2OfABadFdIsEBADF(Kernel k) {
        Witness w = Witness.of(k);
        TaskStruct t = w.task().taskStruct();
        w.mark();

        assertReturns(Errno.EBADF, t.files().dup2(5, 6, t.rlimit(Rlimits.RLIMIT_NOFILE)));

        assertThat(t.files().openFds()).isEmpty();
        w.assertUnchangedAndRelease();
    }

    /** A process spawned into a cgroup that does not exist: {@code ENOENT}, no process made. */
    @Eras(value = Era.LATEST, memory = "64M")
    void spawnIntoAMissingCgroupIsENOENT(Kernel k) {
        Witness w = Witness.of(k);
        w.mark();

        assertErrno(Errno.ENOENT, () -> k.spawn("/missing"));

        assertThat(k.tasks()).containsExactly(w.task());
        w.assertUnchangedAndRelease();
    }

    /** Any call on a closed kernel: {@link IllegalStateException}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aClosedKernelRefusesCalls(Kernel k) {
        Task t = k.spawn("/");
        k.close();

        assertThatThrownBy(k::cgroupfs).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(t::fork).isInstanceOf(IllegalStateException.class);
    }
}
