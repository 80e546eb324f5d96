package org.mmemu.kernel;

import java.util.Arrays;
import java.util.function.ToLongFunction;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.fs.File;
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
 */
final class PipeCalls {
    private final Kernel kernel;
    private final TaskStruct task;

    PipeCalls(Kernel kernel, TaskStruct task) {
        this.kernel = kernel;
        this.task = task;
    }

    /** {@code pipe2(fds, 0)}. */
    int[] pipe() {
        int[] fds;
        try (var running = kernel.enter(new Task(kernel, task))) {
            fds = kernel.get(PipeFiles.class).doPipe2();
        }
        if (fds.length == 1) {
            throw new ErrnoException(Errno.fromNegative(fds[0]), "pipe() by " + task);
        }
        return fds;
    }

    /** {@code write(fd, data, data.length)}. */
    int write(int fd, byte[] data) {
        return (int) call("write(" + fd + ")", f -> kernel.get(PipeFiles.class).kernelIo(f, data, true), fd);
    }

    /** {@code read(fd, buf, max)}: the bytes read. */
    byte[] read(int fd, int max) {
        byte[] buffer = new byte[max];
        long n = call("read(" + fd + ")", f -> kernel.get(PipeFiles.class).kernelIo(f, buffer, false), fd);
        return n == max ? buffer : Arrays.copyOf(buffer, (int) n);
    }

    /** {@code fcntl(fd, F_SETPIPE_SZ, bytes)}. */
    int fcntlSetPipeSize(int fd, long bytes) {
        return (int) call("fcntl(" + fd + ", F_SETPIPE_SZ)", f -> kernel.get(PipeFiles.class).fcntlSetPipeSize(f, bytes), fd);
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
        kernel.get(SigPipe.class).setIgnored(task, true);
    }

    /** {@code op} on the file behind {@code fd}, as the task; its errno thrown, its SIGPIPE delivered. */
    long call(String name, ToLongFunction<File> op, int fd) {
        long ret;
        try (var running = kernel.enter(new Task(kernel, task))) {
            ret = withFile(fd, op);
        }
        if (kernel.get(SigPipe.class).dequeue(task)) {
            kernel.exit(task, "SIGPIPE to");
            name += ", killed by SIGPIPE";
        }
        if (ret < 0) {
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
}
