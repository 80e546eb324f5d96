package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/** The facade's task life: what spawn gives, fork, and calls on an exited task refused with ESRCH. */
class KernelTasksTest {
    private Kernel k;

    @BeforeEach
    void boot() {
        k = Kernel.boot(Era.LATEST, MemoryConfig.of("16M"));
        k.cgroupfs().mkdir("/job");
    }

    @AfterEach
    void theMachineIsConsistent() {
        assertThat(k.checkConsistency()).isEmpty();
    }

    private static void assertEsrch(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.ESRCH);
    }

    private static int open(TaskStruct t, FileOperations ops) {
        int fd = t.files().getUnusedFd(t.rlimit(Rlimits.RLIMIT_NOFILE));
        t.files().fdInstall(fd, new File(ops, t, File.FMODE_READ));
        return fd;
    }

    @Test
    void aSpawnedTaskIsRootWithAnEmptyFdTableAndInitsLimits() {
        TaskStruct t = k.spawn("/job");

        assertThat(t.cred().uid()).isZero();
        assertThat(t.files().openFds()).isEmpty();
        assertThat(t.rlimits().cur(Rlimits.RLIMIT_NOFILE)).isEqualTo(k.init().rlimits().cur(Rlimits.RLIMIT_NOFILE));
        assertThat(t.rlimits().max(Rlimits.RLIMIT_MEMLOCK)).isEqualTo(k.init().rlimits().max(Rlimits.RLIMIT_MEMLOCK));
        assertThat(k.get(Tasks.class).findTaskByVpid(t.pid())).isSameAs(t);
        k.exit(t);
    }

    @Test
    void anExitedTaskIsRefusedWithEsrch() {
        TaskStruct t = k.spawn("/job");
        k.exit(t);

        assertThat(t.isAlive()).isFalse();
        assertEsrch(() -> k.exit(t));
        assertEsrch(() -> k.enter(t));
        assertEsrch(() -> k.fork(t));
        assertThat(k.get(Tasks.class).findTaskByVpid(t.pid())).isNull();
    }

    @Test
    void aForkedChildIsInItsParentsCgroupAndPaysForItsOwnPgd() {
        TaskStruct parent = k.spawn("/job");
        k.drainAllStock();
        long before = k.cgroupfs().readLong("/job/memory.current");

        TaskStruct child = k.fork(parent);

        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(parent.pid() + "\n" + child.pid() + "\n");
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current") - before).as("the child's pgd")
                .isEqualTo(MemMap.PAGE_SIZE);
        k.exit(parent);
        k.exit(child);
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).isZero();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
    }

    @Test
    void forkSharesTheOpenFilesWhichTheLastExitReleases() {
        int[] releases = {0};
        FileOperations ops = new FileOperations() {
            @Override
            public void release(File file) {
                releases[0]++;
            }
        };
        TaskStruct parent = k.spawn("/job");
        int fd = open(parent, ops);
        TaskStruct child = k.fork(parent);
        assertThat(child.files().openFds()).containsExactly(fd);

        k.exit(parent);
        assertThat(releases[0]).as("the child's fd holds it").isZero();
        k.exit(child);
        assertThat(releases[0]).isEqualTo(1);
    }
}
