package org.mmemu.core.fs;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/**
 * {@code anon_inode_getfd} (fs/anon_inodes.c): a new file on the anonymous inode, installed in
 * {@code current}'s lowest free fd, as a BPF map, an eventfd or a userfaultfd gets its fd.
 */
public final class AnonInodes {
    private final Tasks tasks;

    @Inject
    public AnonInodes(Tasks tasks) {
        this.tasks = tasks;
    }

    /**
     * Reserves an fd below {@code current}'s {@code RLIMIT_NOFILE}, makes the file (the fd
     * table holds its one reference) and installs it.
     *
     * @return the fd; {@code -EMFILE} when no fd is free, {@code -EBADF} for a task without an
     *     fd table (a kernel thread); no file is made then
     */
    public int getfd(FileOperations operations, Object privateData, int mode) {
        TaskStruct current = tasks.current();
        FilesStruct files = current.files();
        if (files == null) {
            return Errno.EBADF.negative();
        }
        int fd = files.getUnusedFd(current.rlimit(Rlimits.RLIMIT_NOFILE));
        if (fd < 0) {
            return fd;
        }
        files.fdInstall(fd, new File(operations, privateData, mode));
        return fd;
    }
}
