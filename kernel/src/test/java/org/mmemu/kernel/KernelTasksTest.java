package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/** The facade's task life: what spawn gives, and what a fork shares and pays for. */
class KernelTasksTest {
    private Kernel k;

    @BeforeEach
    void boot() {
        k = Kernel.boot(Era.LATEST, KernelConfig.memory("16M"));
        k.cgroupfs().mkdir("/job");
    }

    @AfterEach
    void theMachineIsConsistent() {
        assertThat(k.checkConsistency()).isEmpty();
    }

    private static int open(Task task, FileOperations ops) {
        TaskStruct t = task.taskStruct();
        int fd = t.files().getUnusedFd(t.rlimit(Rlimits.RLIMIT_NOFILE));
        t.files().fdInstall(fd, new File(ops, t, File.FMODE_READ));
        return fd;
    }

    @Test
    void aSpawnedTaskIsRootWithAnEmptyFdTableAndInitsLimits() {
        Task t = k.spawn("/job");

        assertThat(t.taskStruct().cred().uid()).isZero();
        assertThat(t.taskStruct().files().openFds()).isEmpty();
        assertThat(t.taskStruct().rlimits().cur(Rlimits.RLIMIT_NOFILE)).isEqualTo(k.init().rlimits().cur(Rlimits.RLIMIT_NOFILE));
        assertThat(t.taskStruct().rlimits().max(Rlimits.RLIMIT_MEMLOCK)).isEqualTo(k.init().rlimits().max(Rlimits.RLIMIT_MEMLOCK));
        assertThat(k.get(Tasks.class).findTaskByVpid(t.pid())).isSameAs(t.taskStruct());
        t.exit();
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
    void forkSharesTheOpenFilesWhichTheLastExitReleases() {
        int[] releases = {0};
        FileOperations ops = new FileOperations() {
            @Override
            public void release(File file) {
                releases[0]++;
            }
        };
        Task parent = k.spawn("/job");
        int fd = open(parent, ops);
        Task child = parent.fork();
        assertThat(child.taskStruct().files().openFds()).containsExactly(fd);

        parent.exit();
        assertThat(releases[0]).as("the child's fd holds it").isZero();
        child.exit();
        assertThat(releases[0]).isEqualTo(1);
    }
}
