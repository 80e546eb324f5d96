package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/** The facade's process handle: what spawn gives, each call, its errors, and ESRCH once the process is dead. */
class TaskTest {
    private Kernel k;

    @BeforeEach
    void boot() {
        k = Kernel.boot(Era.V5_10, KernelConfig.memory("16M"));
        k.cgroupfs().mkdir("/job");
        k.cgroupfs().mkdir("/other");
    }

    @AfterEach
    void closeChecksTheMachine() {
        k.close();
    }

    private static void assertErrno(Errno errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(errno));
    }

    /** Installs a file at the lowest free fd of {@code task}, counting its releases. */
    private static int open(Task task, int[] releases) {
        TaskStruct t = task.taskStruct();
        int fd = t.files().getUnusedFd(t.rlimit(Rlimits.RLIMIT_NOFILE));
        t.files().fdInstall(fd, new File(new FileOperations() {
            @Override
            public void release(File file) {
                releases[0]++;
            }
        }, t, File.FMODE_READ));
        return fd;
    }

    @Test
    void tasksListsTheLiveProcessesButNotInit() {
        Task a = k.spawn("/job");
        Task b = a.fork();

        assertThat(k.tasks()).containsExactly(a, b);
        assertThat(k.tasks().get(0).pid()).isEqualTo(a.pid()).isNotEqualTo(k.init().pid());
        b.exit();
        assertThat(k.tasks()).containsExactly(a);
    }

    @Test
    void aSpawnedTaskIsRootWithAnEmptyFdTableAndInitsLimits() {
        Task t = k.spawn("/job");
        TaskStruct ts = t.taskStruct();

        assertThat(ts.cred().uid()).isZero();
        assertThat(ts.files().openFds()).isEmpty();
        assertThat(ts.rlimits().cur(Rlimits.RLIMIT_NOFILE)).isEqualTo(k.init().rlimits().cur(Rlimits.RLIMIT_NOFILE));
        assertThat(ts.rlimits().max(Rlimits.RLIMIT_MEMLOCK)).isEqualTo(k.init().rlimits().max(Rlimits.RLIMIT_MEMLOCK));
        assertThat(k.get(Tasks.class).findTaskByVpid(t.pid())).isSameAs(ts);
    }

    @Test
    void aForkedChildIsInItsParentsCgroupAndPaysForItsOwnPgd() {
        Task parent = k.spawn("/job");
        k.drainAllStock();
        long before = k.cgroupfs().readLong("/job/memory.current");

        Task child = parent.fork();

        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(parent.pid() + "\n" + child.pid() + "\n");
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current") - before).as("the child's pgd")
                .isEqualTo(MemMap.PAGE_SIZE);
        parent.exit();
        child.exit();
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).isZero();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
    }

    @Test
    void aForkedChildSharesTheOpenFilesWhichTheLastCloseOrExitReleases() {
        int[] releases = {0};
        Task parent = k.spawn("/job");
        int fd = open(parent, releases);
        Task child = parent.fork();
        assertThat(child.taskStruct().files().openFds()).containsExactly(fd);

        parent.close(fd);
        assertThat(releases[0]).as("the child's fd holds the file").isZero();
        assertErrno(Errno.EBADF, () -> parent.close(fd));
        child.exit();
        assertThat(releases[0]).as("exit_files dropped the last reference").isEqualTo(1);
    }

    @Test
    void moveToMovesTheProcessAndLeavesItsChargesBehind() {
        Task t = k.spawn("/job");
        k.drainAllStock();
        long pgd = k.cgroupfs().readLong("/job/memory.current");

        t.moveTo("/other");

        assertThat(k.cgroupfs().read("/other/cgroup.procs")).isEqualTo(t.pid() + "\n");
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).isEqualTo(pgd).isPositive();
        assertErrno(Errno.ENOENT, () -> t.moveTo("/nowhere"));
    }

    @Test
    void setOomScoreAdjTakesMinus1000To1000() {
        Task t = k.spawn("/job");

        t.setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MAX);
        assertThat(t.taskStruct().oomScoreAdj()).isEqualTo(1000);
        assertErrno(Errno.EINVAL, () -> t.setOomScoreAdj(1001));
        assertErrno(Errno.EINVAL, () -> t.setOomScoreAdj(-1001));
        assertThat(t.taskStruct().oomScoreAdj()).as("left as it was").isEqualTo(1000);
    }

    @Test
    void aKilledProcessReleasesItsFilesAndRefusesEveryCallWithEsrch() {
        int[] releases = {0};
        Task t = k.spawn("/job");
        int fd = open(t, releases);

        t.kill();

        assertThat(t.isAlive()).isFalse();
        assertThat(releases[0]).isEqualTo(1);
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertDead(t, fd);
    }

    @Test
    void anExitedProcessRefusesEveryCallWithEsrch() {
        Task t = k.spawn("/job");
        t.exit();

        assertThat(t.isAlive()).isFalse();
        assertThat(k.tasks()).isEmpty();
        assertDead(t, 0);
    }

    @Test
    void aProcessTheOomKillerChoseIsDead() {
        Task t = k.spawn("/job");

        k.cgroupfs().write("/job/memory.max", "0");

        assertThat(t.isAlive()).isFalse();
        assertThat(k.log().dmesg()).contains("Killed process " + t.pid());
        assertDead(t, 0);
    }

    @Test
    void aProcessKilledInItsOwnChargeExitsOnItsWayBackToUserSpace() {
        Task t = k.spawn("/job");
        k.drainAllStock();
        k.cgroupfs().write("/job/memory.max", Long.toString(k.cgroupfs().readLong("/job/memory.current")));
        Page p;

        try (var running = k.enter(t)) {
            p = k.get(PageAllocator.class).allocPage(GFP_KERNEL_ACCOUNT);
            assertThat(t.isAlive()).as("a victim cannot exit inside its own charge").isTrue();
        }

        assertThat(t.isAlive()).isFalse();
        assertThat(k.cgroupfs().read("/job/memory.events")).contains("oom_kill 1\n");
        if (p != null) {
            k.get(PageAllocator.class).freePage(p);
        }
        assertDead(t, 0);
    }

    private void assertDead(Task t, int fd) {
        assertErrno(Errno.ESRCH, t::exit);
        assertErrno(Errno.ESRCH, t::kill);
        assertErrno(Errno.ESRCH, t::fork);
        assertErrno(Errno.ESRCH, () -> t.moveTo("/other"));
        assertErrno(Errno.ESRCH, () -> t.setOomScoreAdj(0));
        assertErrno(Errno.ESRCH, () -> t.close(fd));
        assertErrno(Errno.ESRCH, () -> k.enter(t));
    }
}
