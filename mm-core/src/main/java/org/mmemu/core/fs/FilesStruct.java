package org.mmemu.core.fs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Refcount;

/**
 * {@code struct files_struct} with its fd table (include/linux/fdtable.h, fs/file.c): the open
 * files of a task, indexed by fd. {@link #allocFd} gives the lowest free fd ({@code alloc_fd},
 * {@code -EMFILE} at the task's {@code RLIMIT_NOFILE}); {@link #fdInstall} puts a file there;
 * {@link #fget} takes a reference on the file behind an fd; {@link #closeFd}, {@link #dup} and
 * {@link #dup2} behave as the syscalls do.
 *
 * <p>fork copies the table ({@link #dupFd}, {@code dup_fd}): the child gets a table of its own
 * whose fds point at the same files, each with one more reference, so a file is shared by the
 * two tasks while closing an fd in one leaves the other's open. Only {@code CLONE_FILES} shares
 * the table itself ({@link #get}). The last {@link #put} closes every fd ({@code exit_files}).
 */
public final class FilesStruct {
    private static final int NR_OPEN_DEFAULT = 64;

    private final OpenFiles openFiles;
    private final Refcount count = new Refcount(this);
    /** {@code fdt->fd}; guarded by this ({@code file_lock}). */
    private File[] fd;
    /** Fds handed out by {@link #allocFd} and not yet installed or put back ({@code open_fds}). */
    private boolean[] reserved;
    /** {@code files->next_fd}: no fd below it is free. */
    private int nextFd;

    /** An empty table with one user, whose files {@code openFiles} tracks. */
    public FilesStruct(OpenFiles openFiles) {
        this.openFiles = openFiles;
        this.fd = new File[NR_OPEN_DEFAULT];
        this.reserved = new boolean[NR_OPEN_DEFAULT];
    }

    private FilesStruct(FilesStruct old) {
        this.openFiles = old.openFiles;
        synchronized (old) {
            this.fd = old.fd.clone();
            this.reserved = new boolean[fd.length];
        }
        for (File f : fd) {
            if (f != null) {
                f.get();
            }
        }
    }

    /** {@code dup_fd}: the child's copy, every open file with one more reference. */
    public FilesStruct dupFd() {
        return new FilesStruct(this);
    }

    /** {@code atomic_read(&files->count)}: the tasks using this table. */
    public int count() {
        return count.read();
    }

    /** {@code atomic_inc(&files->count)}: {@code CLONE_FILES} shares the table. */
    public FilesStruct get() {
        count.get();
        return this;
    }

    /** {@code put_files_struct}: the last user closes every fd ({@code close_files}). */
    public void put() {
        if (!count.put()) {
            return;
        }
        File[] files;
        synchronized (this) {
            files = fd;
            fd = new File[0];
            reserved = new boolean[0];
            nextFd = 0;
        }
        for (File f : files) {
            if (f != null) {
                f.put();
            }
        }
    }

    /**
     * {@code alloc_fd(start, end, 0)}: reserves the lowest free fd at or above {@code start}.
     *
     * @param end the task's {@code rlimit(RLIMIT_NOFILE)}: fds must stay below it (unsigned, as
     *     the kernel's; {@code RLIM_INFINITY} is no limit)
     * @return the fd, or {@code -EMFILE} when none below {@code end} is free
     */
    public synchronized int allocFd(int start, long end) {
        int from = Math.max(start, nextFd);
        int fdNr = from;
        while (fdNr < fd.length && (fd[fdNr] != null || reserved[fdNr])) {
            fdNr++;
        }
        if (Long.compareUnsigned(fdNr, end) >= 0) {
            return Errno.EMFILE.negative();
        }
        expand(fdNr);
        reserved[fdNr] = true;
        if (start <= nextFd) {
            nextFd = fdNr + 1;
        }
        return fdNr;
    }

    /** {@code get_unused_fd_flags(0)}: {@link #allocFd} from 0. */
    public int getUnusedFd(long nofile) {
        return allocFd(0, nofile);
    }

    /** {@code put_unused_fd}: gives back a reserved fd that was never installed. */
    public synchronized void putUnusedFd(int fdNr) {
        checkReserved(fdNr);
        reserved[fdNr] = false;
        if (fdNr < nextFd) {
            nextFd = fdNr;
        }
    }

    /**
     * {@code fd_install}: the reserved {@code fdNr} now refers to {@code file}, whose reference
     * the table takes over. Installing over an open fd is the kernel's
     * {@code BUG_ON(fdt->fd[fd] != NULL)}.
     */
    public synchronized void fdInstall(int fdNr, File file) {
        checkReserved(fdNr);
        if (fd[fdNr] != null) {
            throw new KernelBug("fd_install: fd " + fdNr + " already refers to " + fd[fdNr]);
        }
        reserved[fdNr] = false;
        fd[fdNr] = file;
        openFiles.track(file);
    }

    private void checkReserved(int fdNr) {
        if (fdNr < 0 || fdNr >= reserved.length || !reserved[fdNr]) {
            throw new KernelBug("fd " + fdNr + " was not reserved by alloc_fd");
        }
    }

    /**
     * {@code fget}: the file behind {@code fdNr} with a reference the caller drops with
     * {@link File#put} ({@code fput}), or null for an fd that is not open.
     */
    public File fget(int fdNr) {
        synchronized (this) {
            File f = lookup(fdNr);
            return f == null ? null : f.get();
        }
    }

    /** {@code close_fd} ({@code __close_fd} before 5.11): 0, or {@code -EBADF}. */
    public int closeFd(int fdNr) {
        File f;
        synchronized (this) {
            f = lookup(fdNr);
            if (f == null) {
                return Errno.EBADF.negative();
            }
            fd[fdNr] = null;
            if (fdNr < nextFd) {
                nextFd = fdNr;
            }
        }
        f.put();
        return 0;
    }

    /**
     * {@code dup(oldfd)}: the lowest free fd, referring to the same file.
     *
     * @return the new fd, {@code -EBADF} if {@code oldfd} is not open, {@code -EMFILE} if no
     *     fd below {@code nofile} is free
     */
    public int dup(int oldfd, long nofile) {
        File f = fget(oldfd);
        if (f == null) {
            return Errno.EBADF.negative();
        }
        int newfd = getUnusedFd(nofile);
        if (newfd < 0) {
            f.put();
            return newfd;
        }
        fdInstall(newfd, f);
        return newfd;
    }

    /**
     * {@code dup2(oldfd, newfd)}: {@code newfd} refers to {@code oldfd}'s file, the file it
     * referred to before (if any) closed. {@code oldfd == newfd} returns it if it is open.
     *
     * @return {@code newfd}, or {@code -EBADF} if {@code oldfd} is not open or {@code newfd} is
     *     at or above {@code nofile}; {@code -EBUSY} if {@code newfd} is reserved but not yet
     *     installed
     */
    public int dup2(int oldfd, int newfd, long nofile) {
        File replaced;
        synchronized (this) {
            File f = lookup(oldfd);
            if (oldfd == newfd) {
                return f != null ? oldfd : Errno.EBADF.negative();
            }
            if (newfd < 0 || Long.compareUnsigned(newfd, nofile) >= 0 || f == null) {
                return Errno.EBADF.negative();
            }
            expand(newfd);
            if (fd[newfd] == null && reserved[newfd]) {
                return Errno.EBUSY.negative();
            }
            replaced = fd[newfd];
            fd[newfd] = f.get();
        }
        if (replaced != null) {
            replaced.put();
        }
        return newfd;
    }

    /** The open fds in increasing order (a snapshot, for {@code /proc/<pid>/fd}-like views). */
    public synchronized List<Integer> openFds() {
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < fd.length; i++) {
            if (fd[i] != null) {
                open.add(i);
            }
        }
        return open;
    }

    private File lookup(int fdNr) {
        return fdNr >= 0 && fdNr < fd.length ? fd[fdNr] : null;
    }

    /** {@code expand_files}: room for {@code fdNr}, doubling as {@code expand_fdtable} does. */
    private void expand(int fdNr) {
        if (fdNr < fd.length) {
            return;
        }
        int size = Math.max(NR_OPEN_DEFAULT, fd.length);
        while (size <= fdNr) {
            size *= 2;
        }
        fd = Arrays.copyOf(fd, size);
        reserved = Arrays.copyOf(reserved, size);
    }

    @Override
    public synchronized String toString() {
        return "files_struct(" + openFds().size() + " open, count " + count.read() + ")";
    }
}
