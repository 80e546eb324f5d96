package org.mmemu.pipe;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Tasks;

/**
 * Reading and writing a pipe (fs/pipe.c {@code pipe_write}, {@code pipe_read}), without blocking:
 * the emulator runs a call on its caller's thread, so every pipe behaves as if opened
 * {@code O_NONBLOCK}.
 *
 * <p>A write first appends what does not fill a page ({@code total_len & (PAGE_SIZE - 1)}) to
 * the last buffer when that buffer may be merged into ({@link PipeBuffer#PIPE_BUF_FLAG_CAN_MERGE})
 * and has room; the rest goes a page at a time into new buffers, each page the spare
 * {@code tmp_page} or a fresh {@code alloc_page} with the era's gfp, in the writer's context, so
 * charged to the writer's cgroup from 4.8. A read copies out and releases each buffer it empties
 * ({@link AnonPipeBufOps#release}).
 */
public final class PipeIo {
    private final PageAllocator allocator;
    private final AnonPipeBufOps bufOps;
    private final SigPipe sigpipe;
    private final Tasks tasks;
    private final PipeConfig config;

    @Inject
    PipeIo(PageAllocator allocator, AnonPipeBufOps bufOps, SigPipe sigpipe, Tasks tasks, PipeConfig config) {
        this.allocator = allocator;
        this.bufOps = bufOps;
        this.sigpipe = sigpipe;
        this.tasks = tasks;
        this.config = config;
    }

    /**
     * {@code pipe_write(pipe, from)}.
     *
     * @return the bytes written (what fitted); {@code -EPIPE} (and {@code SIGPIPE}) without
     *     readers, {@code -EAGAIN} if the pipe is full, {@code -EFAULT} if nothing could be
     *     copied, {@code -ENOMEM} if no page could be had (charged)
     */
    public long pipeWrite(PipeInodeInfo pipe, IovIter from) {
        long total = from.count();
        if (total == 0) {
            return 0;
        }
        synchronized (pipe) {
            if (pipe.readers == 0) {
                sigpipe.send(tasks.current());
                return Errno.EPIPE.negative();
            }
            long ret = 0;
            int chars = (int) (total & MemMap.PAGE_SIZE - 1);
            if (chars != 0 && !pipe.empty()) {
                PipeBuffer buf = pipe.slot(pipe.head - 1);
                int offset = buf.offset + buf.len;
                if ((buf.flags & PipeBuffer.PIPE_BUF_FLAG_CAN_MERGE) != 0 && offset + chars <= MemMap.PAGE_SIZE) {
                    int copied = from.copyPageFromIter(buf.page, offset, chars);
                    if (copied < chars) {
                        return Errno.EFAULT.negative();
                    }
                    buf.len += copied;
                    ret = copied;
                    if (from.count() == 0) {
                        return ret;
                    }
                }
            }
            return writeNewBuffers(pipe, from, ret);
        }
    }

    /** The loop of {@code pipe_write}: a page per buffer while the ring has room. */
    private long writeNewBuffers(PipeInodeInfo pipe, IovIter from, long written) {
        long ret = written;
        while (!pipe.full()) {
            Page page = pipe.tmpPage;
            if (page == null) {
                page = allocator.allocPage(config.pageGfp());
                if (page == null) {
                    return ret != 0 ? ret : Errno.ENOMEM.negative();
                }
                pipe.tmpPage = page;
            }
            int copied = from.copyPageFromIter(page, 0, MemMap.PAGE_SIZE);
            if (copied < MemMap.PAGE_SIZE && from.count() != 0) {
                return ret != 0 ? ret : Errno.EFAULT.negative();
            }
            ret += copied;
            PipeBuffer buf = pipe.slot(pipe.head);
            buf.page = page;
            buf.offset = 0;
            buf.len = copied;
            buf.flags = PipeBuffer.PIPE_BUF_FLAG_CAN_MERGE;
            pipe.head++;
            pipe.tmpPage = null;
            if (from.count() == 0) {
                return ret;
            }
        }
        return ret != 0 ? ret : Errno.EAGAIN.negative();
    }

    /**
     * {@code pipe_read(pipe, to)}.
     *
     * @return the bytes read; 0 at end of file (empty, no writers); {@code -EAGAIN} if empty with
     *     writers; {@code -EFAULT} if nothing could be copied out
     */
    public long pipeRead(PipeInodeInfo pipe, IovIter to) {
        long total = to.count();
        if (total == 0) {
            return 0;
        }
        synchronized (pipe) {
            long ret = 0;
            while (!pipe.empty() && total > 0) {
                PipeBuffer buf = pipe.slot(pipe.tail);
                int chars = (int) Math.min(buf.len, total);
                int copied = to.copyPageToIter(buf.page, buf.offset, chars);
                if (copied < chars) {
                    return ret != 0 ? ret : Errno.EFAULT.negative();
                }
                ret += chars;
                total -= chars;
                buf.offset += chars;
                buf.len -= chars;
                if (buf.len == 0) {
                    bufOps.release(pipe, buf);
                    pipe.tail++;
                }
            }
            if (ret != 0 || pipe.writers == 0) {
                return ret;
            }
            return Errno.EAGAIN.negative();
        }
    }
}
