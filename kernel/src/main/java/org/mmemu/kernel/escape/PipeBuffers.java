package org.mmemu.kernel.escape;

import org.mmemu.core.era.KernelRelease;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;

/**
 * Pipe buffers written and never read: the process opens pipes, grows each to
 * {@code pipe-max-size} ({@code F_SETPIPE_SZ}) and fills it, through the facade's
 * {@link Task#pipe}, {@link Task#fcntlSetPipeSize} and {@link Task#write}. Each buffer is a page
 * {@code pipe_write} allocates ({@code anon_pipe_buf_ops}, fs/pipe.c), charged from 4.8 on.
 */
final class PipeBuffers implements EscapePath {
    /** {@code pipe_max_size}'s default: 1 MiB, 256 buffers. */
    private static final int PIPE_MAX_SIZE = 1 << 20;
    private static final int CHUNK = 64 << 10;

    @Override
    public String name() {
        return "pipe";
    }

    @Override
    public String description() {
        return "opens pipes, grows each to 1 MiB (F_SETPIPE_SZ) and writes 64 KiB at a time into it, never reading";
    }

    @Override
    public KernelChange closedBy() {
        return new KernelChange(KernelRelease.V4_8, null, "pipe: account to kmemcg (Vladimir Davydov, 2016)",
                "fs/pipe.c pipe_write: alloc_page(GFP_HIGHUSER) in 4.6.2, GFP_HIGHUSER | __GFP_ACCOUNT in 4.8.15,"
                        + " alloc_pipe_info's kzalloc GFP_KERNEL_ACCOUNT; charged by the page allocator since"
                        + " 4949148ad433 (mm: charge/uncharge kmemcg from generic page allocator paths, 4.8)");
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        return new Writer(task);
    }

    /** Fills one pipe after another. */
    private static final class Writer implements PathDrive {
        private final Task task;
        private final byte[] chunk = new byte[CHUNK];
        private int writeFd = -1;
        private long room;

        Writer(Task task) {
            this.task = task;
        }

        @Override
        public void step() {
            if (room == 0) {
                writeFd = task.pipe()[1];
                room = task.fcntlSetPipeSize(writeFd, PIPE_MAX_SIZE);
                return;
            }
            int n = task.write(writeFd, chunk);
            // A short write means the pipe is full (a pipe takes whole pages: no partial page left).
            room = n < CHUNK ? 0 : room - n;
        }
    }
}
