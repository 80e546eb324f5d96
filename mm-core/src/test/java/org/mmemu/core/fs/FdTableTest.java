package org.mmemu.core.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.cred.Rlimits;

/** files_struct: alloc_fd, fd_install, close, dup, dup2, fget, dup_fd and the last put (fs/file.c). */
class FdTableTest {
    private static final long NOFILE = 1024;
    private static final int EBADF = Errno.EBADF.negative();

    private final CountingOperations ops = new CountingOperations();
    private final FilesStruct files = new FilesStruct(new OpenFiles());

    private int open(String name) {
        int fd = files.getUnusedFd(NOFILE);
        files.fdInstall(fd, ops.open(name));
        return fd;
    }

    @Test
    void newFdsTakeTheLowestFreeNumber() {
        assertThat(open("a")).isZero();
        assertThat(open("b")).isEqualTo(1);
        assertThat(open("c")).isEqualTo(2);

        assertThat(files.closeFd(1)).isZero();
        assertThat(open("d")).as("the hole is reused first").isEqualTo(1);
        assertThat(open("e")).isEqualTo(3);
        assertThat(files.allocFd(10, NOFILE)).as("alloc_fd from a start").isEqualTo(10);
        assertThat(files.openFds()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aReservedFdIsNotHandedOutTwiceAndCanBeGivenBack() {
        int fd = files.getUnusedFd(NOFILE);
        assertThat(files.getUnusedFd(NOFILE)).isEqualTo(fd + 1);
        files.putUnusedFd(fd);
        assertThat(files.getUnusedFd(NOFILE)).isEqualTo(fd);
    }

    @Test
    void theLimitIsEmfile() {
        for (int i = 0; i < 3; i++) {
            assertThat(files.getUnusedFd(3)).isEqualTo(i);
        }
        assertThat(files.getUnusedFd(3)).isEqualTo(Errno.EMFILE.negative());
        assertThat(files.allocFd(5, 3)).isEqualTo(Errno.EMFILE.negative());
        assertThat(files.getUnusedFd(Rlimits.RLIM_INFINITY)).as("unsigned: no limit").isEqualTo(3);
    }

    @Test
    void tablesGrowPastTheirFirstSize() {
        for (int i = 0; i < 200; i++) {
            assertThat(open("f" + i)).isEqualTo(i);
        }
        assertThat(files.openFds()).hasSize(200);
    }

    @Test
    void closeReleasesTheFileAndAClosedFdIsEbadf() {
        int fd = open("a");
        File a = files.fget(fd);
        a.put();

        assertThat(files.closeFd(fd)).isZero();
        assertThat(ops.released).containsExactly(a);
        assertThat(files.closeFd(fd)).isEqualTo(EBADF);
        assertThat(files.closeFd(-1)).isEqualTo(EBADF);
        assertThat(files.closeFd(4096)).isEqualTo(EBADF);
        assertThat(files.fget(fd)).isNull();
    }

    @Test
    void fgetTakesAReferenceThatOutlivesTheFd() {
        int fd = open("a");
        File a = files.fget(fd);
        assertThat(a.count()).isEqualTo(2);

        files.closeFd(fd);
        assertThat(ops.released).as("our reference keeps it").isEmpty();
        a.put();
        assertThat(ops.released).containsExactly(a);
    }

    @Test
    void installingOverAnOpenFdIsABug() {
        int fd = open("a");
        assertThatThrownBy(() -> files.fdInstall(fd, ops.open("b"))).isInstanceOf(KernelBug.class);
    }

    @Test
    void dupTakesTheLowestFreeFdForTheSameFile() {
        open("a");
        int b = open("b");
        files.closeFd(0);

        assertThat(files.dup(b, NOFILE)).isZero();
        File viaDup = files.fget(0);
        File viaB = files.fget(b);
        assertThat(viaDup).isSameAs(viaB);
        assertThat(viaB.count()).as("two fds and our two gets").isEqualTo(4);
        viaDup.put();
        viaB.put();

        assertThat(files.dup(7, NOFILE)).isEqualTo(EBADF);
    }

    @Test
    void dupAtTheLimitIsEmfileAndKeepsNoReference() {
        int a = open("a");
        File file = files.fget(a);
        assertThat(files.dup(a, 1)).isEqualTo(Errno.EMFILE.negative());
        assertThat(file.count()).isEqualTo(2);
        file.put();
    }

    @Test
    void dup2ClosesWhatTheTargetReferredTo() {
        int a = open("a");
        int b = open("b");
        File fileB = files.fget(b);
        fileB.put();

        assertThat(files.dup2(a, b, NOFILE)).isEqualTo(b);
        assertThat(ops.released).containsExactly(fileB);
        File viaB = files.fget(b);
        assertThat(viaB.privateData()).isEqualTo("a");
        viaB.put();

        assertThat(files.dup2(a, 9, NOFILE)).as("a free target").isEqualTo(9);
        assertThat(files.openFds()).containsExactly(0, 1, 9);
    }

    @Test
    void dup2CornerCasesAreTheSyscalls() {
        int a = open("a");
        assertThat(files.dup2(a, a, NOFILE)).as("same open fd").isEqualTo(a);
        assertThat(files.dup2(5, 5, NOFILE)).as("same closed fd").isEqualTo(EBADF);
        assertThat(files.dup2(5, 6, NOFILE)).as("closed oldfd").isEqualTo(EBADF);
        assertThat(files.dup2(a, 3, 3)).as("newfd at RLIMIT_NOFILE is EBADF, not EMFILE").isEqualTo(EBADF);
        int reserved = files.getUnusedFd(NOFILE);
        assertThat(files.dup2(a, reserved, NOFILE)).as("open() in progress there").isEqualTo(Errno.EBUSY.negative());
        files.putUnusedFd(reserved);
        assertThat(files.openFds()).containsExactly(a);
    }

    @Test
    void forkCopiesTheTableAndSharesTheFiles() {
        int a = open("a");
        int b = open("b");
        files.closeFd(a);
        FilesStruct child = files.dupFd();

        assertThat(child).isNotSameAs(files);
        assertThat(child.openFds()).containsExactly(b);
        File parentB = files.fget(b);
        File childB = child.fget(b);
        assertThat(childB).as("the same struct file").isSameAs(parentB);
        assertThat(parentB.count()).as("each table and our two gets").isEqualTo(4);
        parentB.put();
        childB.put();

        assertThat(child.closeFd(b)).isZero();
        assertThat(ops.released).as("the parent's fd still holds it").hasSize(1);
        assertThat(files.openFds()).containsExactly(b);
        assertThat(child.getUnusedFd(NOFILE)).as("the child's own numbering").isZero();
    }

    @Test
    void theLastPutClosesEveryFd() {
        File a = ops.open("a");
        int fd = files.getUnusedFd(NOFILE);
        files.fdInstall(fd, a);
        open("b");
        FilesStruct shared = files.get();
        assertThat(files.count()).isEqualTo(2);

        shared.put();
        assertThat(ops.released).as("another user left").isEmpty();
        files.put();

        assertThat(ops.released).hasSize(2).contains(a);
        assertThat(files.openFds()).isEmpty();
        assertThatThrownBy(files::put).isInstanceOf(KernelBug.class);
    }
}
