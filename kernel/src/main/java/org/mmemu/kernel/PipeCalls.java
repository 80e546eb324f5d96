package org.mmemu.kernel;

import java.util.Arrays;
import java.util.function.ToLongFunction;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.fs.File;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.pipe.PipeFiles;
import org.mmemu.pipe.PipeSplice;
import org.mmemu.pipe.SigPipe;

/**
 * The pipe system calls of {@link Task}: each runs as the task ({@link Kernel#enter}), looks its
 * fds up ({@code fdget} / {@code fdput}), turns a negative errno into {@link ErrnoException},
 * and delivers a pending {@code SIGPIPE} on the way back to user space: its default action
 * kills the task. Data cross the boundary as Java arrays, a kernel buffer of the pipe
 * ({@code kernel_write} / {@code kernel_read}): the task maps no buffer for them.
 *
 * <p>One per {@link Task} handle. {@code read} and {@code write} are the hot path of a test
 * that moves data: they allocate nothing of their own (no lambda, no call name unless the call
 * fails) and look the pipe services up once per handle, not once per call.
 */
final class PipeCalls {
    private final Kernel kernel;
    private final Task owner;
    private final TaskStruct task;
    private PipeFiles files;
    private SigPipe sigpipe;
    private final BufferIo pipeWrite = (f, buffer) -> files().kernelIo(f, buffer, true);
    private final BufferIo pipeRead = (f, buffer) -> files().kernelIo(f, buffer, false);

    PipeCalls(Kernel kernel, Task owner) {
        this.kernel = kernel;
        this.owner = owner;
        this.task = owner.taskStruct();
    }

    /** {@code pipe2(fds, 0)}. */
    int[] pipe() {
        int[] fds;
        try (var running = kernel.enter(owner)) {
            fds = files().doPipe2();
        }
        if (fds.length == 1) {
            throw new ErrnoException(Errno.fromNegative(fds[0]), "pipe() by " + task);
        }
        return fds;
    }

    /** {@code write(fd, data, data.length)}. */
    int write(int fd, byte[] data) {
        return (int) kernelIo("write", fd, data, pipeWrite);
    }

    /** {@code read(fd, buf, max)}: the bytes read. */
    byte[] read(int fd, int max) {
        byte[] buffer = new byte[max];
        long n = kernelIo("read", fd, buffer, pipeRead);
        return n == max ? buffer : Arrays.copyOf(buffer, (int) n);
    }

    /** {@code read(fd, buf, buf.length)}: the bytes read into {@code buf}. */
    int read(int fd, byte[] buf) {
        return (int) kernelIo("read", fd, buf, pipeRead);
    }

    /** {@code fcntl(fd, F_SETPIPE_SZ, bytes)}. */
    int fcntlSetPipeSize(int fd, long bytes) {
        return (int) call("fcntl(" + fd + ", F_SETPIPE_SZ)", f -> files().fcntlSetPipeSize(f, bytes), fd);
    }

    /** {@code tee(in, out, len, SPLICE_F_NONBLOCK)}. */
    long tee(int in, int out, long len) {
        return call("tee(" + in + ", " + out + ")", f -> withFile(out, g -> kernel.get(PipeSplice.class).doTee(f, g, len)), in);
    }

    /** {@code splice(in, NULL, out, NULL, len, SPLICE_F_NONBLOCK)}. */
    long splice(int in, int out, long len) {
        return call("splice(" + in + ", " + out + ")",
                f -> withFile(out, g -> kernel.get(PipeSplice.class).doSplice(f, g, len)), in);
    }

    /** {@code signal(SIGPIPE, SIG_IGN)}. */
    void ignoreSigpipe() {
        kernel.requireAlive(task);
        sigpipe().setIgnored(task, true);
    }

    /**
     * {@code io} ({@code kernel_write}, {@code kernel_read}, a socket's send or receive) of
     * {@code buffer} on {@code fd}, as the task ({@link Kernel#enter}'s steps, without its scope
     * object); its errno thrown, its SIGPIPE delivered.
     */
    long kernelIo(String syscall, int fd, byte[] buffer, BufferIo io) {
        long ret;
        Cpu cpu = kernel.beforeRunning(task);
        TaskStruct previous = kernel.run(cpu, task);
        try {
            File f = task.files().fget(fd);
            if (f == null) {
                ret = Errno.EBADF.negative();
            } else {
                try {
                    ret = io.transfer(f, buffer);
                } finally {
                    f.put();
                }
            }
        } finally {
            kernel.leave(cpu, previous, task);
        }
        return returnToUser(ret, syscall, fd);
    }

    /** {@code op} on the file behind {@code fd}, as the task; its errno thrown, its SIGPIPE delivered. */
    long call(String name, ToLongFunction<File> op, int fd) {
        long ret;
        try (var running = kernel.enter(owner)) {
            ret = withFile(fd, op);
        }
        return returnToUser(ret, name, -1);
    }

    /**
     * The way back to user space: a pending SIGPIPE kills the task, a negative return is thrown
     * as its errno. The call is named {@code syscall(fd)}, or {@code syscall} alone for
     * {@code fd < 0}, only when something is reported.
     */
    private long returnToUser(long ret, String syscall, int fd) {
        boolean killed = sigpipe().dequeue(task);
        if (killed) {
            kernel.exit(task, "SIGPIPE to");
        }
        if (ret < 0) {
            String name = (fd < 0 ? syscall : syscall + "(" + fd + ")") + (killed ? ", killed by SIGPIPE" : "");
            throw new ErrnoException(Errno.fromNegative((int) ret), name + " by " + task);
        }
        return ret;
    }

    /** {@code fdget(fd)}, {@code op}, {@code fdput}; {@code -EBADF} for an fd that is not open. */
    private long withFile(int fd, ToLongFunction<File> op) {
        File f = task.files().fget(fd);
        if (f == null) {
            return Errno.EBADF.negative();
        }
        try {
            return op.applyAsLong(f);
        } finally {
            f.put();
        }
    }

    private PipeFiles files() {
        if (files == null) {
            files = kernel.get(PipeFiles.class);
        }
        return files;
    }

    private SigPipe sigpipe() {
        if (sigpipe == null) {
            sigpipe = kernel.get(SigPipe.class);
        }
        return sigpipe;
    }
}
