package org.mmemu.pipe;

import com.google.inject.Inject;
import java.util.function.LongSupplier;
import org.mmemu.core.Errno;
import org.mmemu.core.fs.File;
import org.mmemu.core.sched.Tasks;

/**
 * {@code tee(2)} and {@code splice(2)} between two pipes (fs/splice.c {@code do_tee},
 * {@code link_pipe}, {@code do_splice}, {@code splice_pipe_to_pipe}, {@code ipipe_prep},
 * {@code opipe_prep}), without blocking. tee copies buffers, not bytes: the out pipe's buffer
 * points at the in pipe's page with one more reference ({@code get_page}), so nothing is copied
 * and nothing new charged, and the page stays charged to the cgroup of its first writer until
 * the last buffer holding it is released. splice moves whole buffers (the page's reference goes
 * with it) and shares a page for a partial one. From 5.0 a shared copy loses
 * {@link PipeBuffer#PIPE_BUF_FLAG_CAN_MERGE}; before, a write to either pipe could append to
 * the shared page ({@link PipeConfig#sharedBuffersMergeable}).
 */
public final class PipeSplice {
    private final PipeFiles files;
    private final AnonPipeBufOps bufOps;
    private final SigPipe sigpipe;
    private final Tasks tasks;
    private final PipeConfig config;

    @Inject
    PipeSplice(PipeFiles files, AnonPipeBufOps bufOps, SigPipe sigpipe, Tasks tasks, PipeConfig config) {
        this.files = files;
        this.bufOps = bufOps;
        this.sigpipe = sigpipe;
        this.tasks = tasks;
        this.config = config;
    }

    /**
     * {@code tee(in, out, len, SPLICE_F_NONBLOCK)}.
     *
     * @return the bytes duplicated; 0 if {@code in} is empty without writers; {@code -EAGAIN}
     *     if it is empty with writers or {@code out} is full; {@code -EPIPE} (and
     *     {@code SIGPIPE}) if {@code out} has no readers; {@code -EBADF} if {@code in} is not
     *     open for reading or {@code out} for writing; {@code -EINVAL} unless both are distinct
     *     pipes
     */
    public long doTee(File in, File out, long len) {
        return between(in, out, (ipipe, opipe) -> () -> linkPipe(ipipe, opipe, len));
    }

    /**
     * {@code splice(in, NULL, out, NULL, len, SPLICE_F_NONBLOCK)} between two pipes; the results
     * of {@link #doTee}.
     */
    public long doSplice(File in, File out, long len) {
        return between(in, out, (ipipe, opipe) -> () -> splicePipeToPipe(ipipe, opipe, len));
    }

    /** The pair of pipes of a call. */
    @FunctionalInterface
    private interface PipePair {
        LongSupplier call(PipeInodeInfo ipipe, PipeInodeInfo opipe);
    }

    /** The checks of {@code sys_tee} / {@code do_splice}, then both prep steps, under both locks. */
    private long between(File in, File out, PipePair pair) {
        if ((in.mode() & File.FMODE_READ) == 0 || (out.mode() & File.FMODE_WRITE) == 0) {
            return Errno.EBADF.negative();
        }
        PipeInodeInfo ipipe = files.getPipeInfo(in);
        PipeInodeInfo opipe = files.getPipeInfo(out);
        if (ipipe == null || opipe == null || ipipe == opipe) {
            return Errno.EINVAL.negative();
        }
        PipeInodeInfo first = ipipe.address < opipe.address ? ipipe : opipe;
        PipeInodeInfo second = first == ipipe ? opipe : ipipe;
        synchronized (first) {
            synchronized (second) {
                long ret = ipipePrep(ipipe);
                if (ret == 0 && !ipipe.empty()) {
                    ret = opipePrep(opipe);
                    if (ret == 0) {
                        ret = pair.call(ipipe, opipe).getAsLong();
                    }
                }
                return ret;
            }
        }
    }

    /** {@code ipipe_prep}: an empty in pipe is 0 without writers, {@code -EAGAIN} with. */
    private static long ipipePrep(PipeInodeInfo ipipe) {
        return ipipe.empty() && ipipe.writers != 0 ? Errno.EAGAIN.negative() : 0;
    }

    /** {@code opipe_prep}: a full out pipe is {@code -EPIPE} without readers, {@code -EAGAIN} with. */
    private long opipePrep(PipeInodeInfo opipe) {
        if (!opipe.full()) {
            return 0;
        }
        return opipe.readers == 0 ? sendSigpipe() : Errno.EAGAIN.negative();
    }

    private long sendSigpipe() {
        sigpipe.send(tasks.current());
        return Errno.EPIPE.negative();
    }

    /** {@code link_pipe}: copies of the in pipe's buffers, sharing their pages. */
    private long linkPipe(PipeInodeInfo ipipe, PipeInodeInfo opipe, long len) {
        long ret = 0;
        long left = len;
        for (int i = ipipe.tail; left > 0; i++) {
            if (opipe.readers == 0) {
                return ret != 0 ? ret : sendSigpipe();
            }
            if (i == ipipe.head || opipe.full()) {
                break;
            }
            PipeBuffer obuf = share(ipipe.slot(i));
            obuf.len = (int) Math.min(obuf.len, left);
            opipe.bufs[opipe.head++ & opipe.bufs.length - 1] = obuf;
            ret += obuf.len;
            left -= obuf.len;
        }
        return ret;
    }

    /** {@code splice_pipe_to_pipe}: whole buffers move, a partial one is shared. */
    private long splicePipeToPipe(PipeInodeInfo ipipe, PipeInodeInfo opipe, long len) {
        long ret = 0;
        long left = len;
        while (left > 0) {
            if (opipe.readers == 0) {
                return ret != 0 ? ret : sendSigpipe();
            }
            if (ipipe.empty() || opipe.full()) {
                break;
            }
            PipeBuffer ibuf = ipipe.slot(ipipe.tail);
            PipeBuffer obuf;
            if (left >= ibuf.len) {
                obuf = new PipeBuffer(ibuf);
                ibuf.page = null;
                ipipe.tail++;
            } else {
                obuf = share(ibuf);
                obuf.len = (int) left;
                ibuf.offset += (int) left;
                ibuf.len -= (int) left;
            }
            opipe.bufs[opipe.head++ & opipe.bufs.length - 1] = obuf;
            ret += obuf.len;
            left -= obuf.len;
        }
        return ret;
    }

    /** {@code pipe_buf_get} and {@code *obuf = *ibuf}, less the gift flag (and, from 5.0, merging). */
    private PipeBuffer share(PipeBuffer ibuf) {
        bufOps.get(ibuf);
        PipeBuffer obuf = new PipeBuffer(ibuf);
        obuf.flags &= ~PipeBuffer.PIPE_BUF_FLAG_GIFT;
        if (!config.sharedBuffersMergeable()) {
            obuf.flags &= ~PipeBuffer.PIPE_BUF_FLAG_CAN_MERGE;
        }
        return obuf;
    }
}
