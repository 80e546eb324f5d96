package org.mmemu.pipe;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.fs.Poll;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.mm.UserCopy;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/**
 * A pipe's two files (fs/pipe.c {@code pipefifo_fops}, {@code create_pipe_files},
 * {@code __do_pipe_flags}, {@code do_pipe2}, {@code pipe_release}, {@code pipe_poll},
 * {@code get_pipe_info}, {@code pipe_fcntl}): a read end and a write end sharing one
 * {@link PipeInodeInfo} as their {@code private_data}, installed in {@code current}'s two lowest
 * free fds; the pipe is freed when the last of them is released.
 */
public final class PipeFiles implements FileOperations {
    private final PipeInfos infos;
    private final PipeIo io;
    private final Tasks tasks;
    private final UserCopy userCopy;
    private final PhysicalMemory ram;
    private final Cpus cpus;
    /**
     * Each CPU's iterator for {@link #kernelIo}, the kernel's on-stack {@code iov_iter}: a CPU
     * runs one call at a time and no pipe call nests another, so one per CPU is never shared.
     * Made by the CPU's own thread on its first call.
     */
    private final KvecIter[] kvecs;

    @Inject
    PipeFiles(PipeInfos infos, PipeIo io, Tasks tasks, UserCopy userCopy, PhysicalMemory ram, Cpus cpus) {
        this.infos = infos;
        this.io = io;
        this.tasks = tasks;
        this.userCopy = userCopy;
        this.ram = ram;
        this.cpus = cpus;
        this.kvecs = new KvecIter[cpus.nrCpus()];
    }

    /**
     * {@code pipe2(fds, 0)} for {@code current}.
     *
     * @return {read fd, write fd}; or a one-element array holding a negative errno:
     *     {@code -ENFILE} when no pipe could be allocated (or the user is over
     *     {@code pipe-user-pages-hard}), {@code -EMFILE} when the task has no two free fds
     */
    public int[] doPipe2() {
        TaskStruct current = tasks.current();
        FilesStruct files = current.files();
        if (files == null) {
            return new int[] {Errno.EBADF.negative()};
        }
        PipeInodeInfo pipe = infos.allocPipeInfo();
        if (pipe == null) {
            return new int[] {Errno.ENFILE.negative()};
        }
        pipe.readers = 1;
        pipe.writers = 1;
        pipe.files = 2;
        File read = new File(this, pipe, File.FMODE_READ);
        File write = new File(this, pipe, File.FMODE_WRITE);
        long nofile = current.rlimit(Rlimits.RLIMIT_NOFILE);
        int fd0 = files.getUnusedFd(nofile);
        int fd1 = fd0 < 0 ? fd0 : files.getUnusedFd(nofile);
        if (fd1 < 0) {
            if (fd0 >= 0) {
                files.putUnusedFd(fd0);
            }
            read.put();
            write.put();
            return new int[] {fd1};
        }
        files.fdInstall(fd0, read);
        files.fdInstall(fd1, write);
        return new int[] {fd0, fd1};
    }

    /** {@code get_pipe_info(file)}: the pipe behind {@code file}, or null if it is no pipe. */
    public PipeInodeInfo getPipeInfo(File file) {
        return file.operations() == this ? (PipeInodeInfo) file.privateData() : null;
    }

    /** {@code read(2)} of a pipe into {@code current}'s buffer at {@code buf}. */
    @Override
    public long read(File file, long buf, long len) {
        return io.pipeRead(getPipeInfo(file), new UserIovIter(userCopy, ram, buf, len));
    }

    /** {@code write(2)} to a pipe from {@code current}'s buffer at {@code buf}. */
    @Override
    public long write(File file, long buf, long len) {
        return io.pipeWrite(getPipeInfo(file), new UserIovIter(userCopy, ram, buf, len));
    }

    /**
     * {@code kernel_read} / {@code kernel_write} of a pipe: the bytes of {@code buffer} (a kernel
     * buffer, a Java array) in or out, as {@code current}. {@code -EBADF} if the file is not
     * open for that ({@code FMODE_READ} / {@code FMODE_WRITE}), {@code -EINVAL} if it is no pipe.
     */
    public long kernelIo(File file, byte[] buffer, boolean write) {
        PipeInodeInfo pipe = getPipeInfo(file);
        if (pipe == null) {
            return Errno.EINVAL.negative();
        }
        if ((file.mode() & (write ? File.FMODE_WRITE : File.FMODE_READ)) == 0) {
            return Errno.EBADF.negative();
        }
        KvecIter iter = kvec(buffer);
        try {
            return write ? io.pipeWrite(pipe, iter) : io.pipeRead(pipe, iter);
        } finally {
            iter.reset(null);
        }
    }

    /** This CPU's {@link KvecIter}, over all of {@code buffer}. */
    private KvecIter kvec(byte[] buffer) {
        int cpu = cpus.current().id();
        KvecIter iter = kvecs[cpu];
        if (iter == null) {
            iter = new KvecIter(ram, buffer);
            kvecs[cpu] = iter;
        } else {
            iter.reset(buffer);
        }
        return iter;
    }

    /**
     * {@code pipe_fcntl(file, F_SETPIPE_SZ, arg)} ({@link PipeInfos#pipeSetSize}); {@code -EBADF}
     * for a file that is no pipe.
     */
    public long fcntlSetPipeSize(File file, long arg) {
        PipeInodeInfo pipe = getPipeInfo(file);
        return pipe == null ? Errno.EBADF.negative() : infos.pipeSetSize(pipe, arg);
    }

    /** {@code pipe_poll}: readable with data, writable with room, hung up or in error without the other end. */
    @Override
    public int poll(File file) {
        PipeInodeInfo pipe = getPipeInfo(file);
        int mask = 0;
        synchronized (pipe) {
            if ((file.mode() & File.FMODE_READ) != 0) {
                mask |= pipe.empty() ? 0 : Poll.POLLIN | Poll.POLLRDNORM;
                mask |= pipe.writers == 0 ? Poll.POLLHUP : 0;
            }
            if ((file.mode() & File.FMODE_WRITE) != 0) {
                mask |= pipe.full() ? 0 : Poll.POLLOUT | Poll.POLLWRNORM;
                mask |= pipe.readers == 0 ? Poll.POLLERR : 0;
            }
        }
        return mask;
    }

    /** {@code pipe_release}: one reader or writer fewer; the last file frees the pipe. */
    @Override
    public void release(File file) {
        PipeInodeInfo pipe = getPipeInfo(file);
        boolean last;
        synchronized (pipe) {
            if ((file.mode() & File.FMODE_READ) != 0) {
                pipe.readers--;
            }
            if ((file.mode() & File.FMODE_WRITE) != 0) {
                pipe.writers--;
            }
            last = --pipe.files == 0;
        }
        if (last) {
            infos.freePipeInfo(pipe);
        }
    }
}
