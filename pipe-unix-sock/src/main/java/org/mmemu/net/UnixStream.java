package org.mmemu.net;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Tasks;
import org.mmemu.pipe.SigPipe;

/**
 * A stream socket's data (net/unix/af_unix.c {@code unix_stream_sendmsg},
 * {@code unix_stream_read_generic}), without blocking, the bytes in and out of a kernel buffer
 * (a Java array). A send cuts the data into skbs of at most half the send buffer less 64 bytes
 * and at most {@code SKB_MAX_HEAD(0)} plus 32 KiB ({@code UNIX_SKB_FRAGS_SZ}), what exceeds a
 * one-page linear area going into page fragments of up to order 3; each skb is queued at the
 * peer as soon as it is full, so a send the buffer stops part way returns what went. A receive
 * takes bytes in order across skbs, leaves a partly read skb queued with its {@code consumed}
 * count, and frees each emptied one in the receiver's context.
 */
public final class UnixStream {
    /** {@code UNIX_SKB_FRAGS_SZ}: {@code PAGE_SIZE << get_order(32768)}. */
    static final int UNIX_SKB_FRAGS_SZ = 32768;
    /** {@code get_order(UNIX_SKB_FRAGS_SZ)}. */
    static final int UNIX_SKB_FRAGS_ORDER = 3;

    private final SkBuffs skbs;
    private final SigPipe sigpipe;
    private final Tasks tasks;

    @Inject
    UnixStream(SkBuffs skbs, SigPipe sigpipe, Tasks tasks) {
        this.skbs = skbs;
        this.sigpipe = sigpipe;
        this.tasks = tasks;
    }

    /**
     * {@code unix_stream_sendmsg(sock, msg, data.length)} with {@code MSG_DONTWAIT}.
     *
     * @return the bytes sent; {@code -EAGAIN} if the send buffer was full before anything went,
     *     {@code -EPIPE} (and {@code SIGPIPE}) once the peer is closed, {@code -ENOTCONN},
     *     {@code -ENOBUFS} if no buffer could be had (charged)
     */
    public long sendmsg(UnixSock sk, byte[] data) {
        int len = data.length;
        synchronized (sk.pairLock) {
            UnixSock other = sk.peer;
            if (other == null) {
                return Errno.ENOTCONN.negative();
            }
            if ((sk.shutdown & UnixSock.SEND_SHUTDOWN) != 0) {
                return pipeErr(0);
            }
            int sent = 0;
            while (sent < len) {
                int size = Math.min(len - sent, (sk.sndbuf >> 1) - 64);
                size = Math.min(size, SkBuffs.SKB_MAX_HEAD_0 + UNIX_SKB_FRAGS_SZ);
                int dataLen = Math.max(0, size - SkBuffs.SKB_MAX_HEAD_0);
                dataLen = Math.min(size, (int) MemMap.pageAlign(dataLen));
                SkBuff skb = skbs.sockAllocSendPskb(sk, size - dataLen, dataLen, UNIX_SKB_FRAGS_ORDER);
                if (skb == null) {
                    return sent != 0 ? sent : sk.allocErr;
                }
                skbs.copyFrom(skb, size - dataLen, data, sent, size);
                if (other.dead || (other.shutdown & UnixSock.RCV_SHUTDOWN) != 0) {
                    skbs.kfreeSkb(skb);
                    return pipeErr(sent);
                }
                other.receiveQueue.add(skb);
                sent += size;
            }
            return sent;
        }
    }

    /** {@code pipe_err}: {@code SIGPIPE} if nothing was sent; what was sent, or {@code -EPIPE}. */
    private long pipeErr(int sent) {
        if (sent == 0) {
            sigpipe.send(tasks.current());
            return Errno.EPIPE.negative();
        }
        return sent;
    }

    /**
     * {@code unix_stream_recvmsg(sock, msg, buffer.length, MSG_DONTWAIT)} into {@code buffer}.
     *
     * @return the bytes received; 0 at end of file (nothing queued, the peer gone); a pending
     *     error once ({@code -ECONNRESET} if the peer closed with data of ours unread); else
     *     {@code -EAGAIN} when nothing is queued
     */
    public long recvmsg(UnixSock sk, byte[] buffer) {
        synchronized (sk.pairLock) {
            int copied = 0;
            int size = buffer.length;
            while (size > 0) {
                SkBuff skb = sk.receiveQueue.peek();
                if (skb == null) {
                    if (copied > 0) {
                        break;
                    }
                    if (sk.err != 0) {
                        int e = sk.err;
                        sk.err = 0;
                        return -e;
                    }
                    if ((sk.shutdown & UnixSock.RCV_SHUTDOWN) != 0) {
                        break;
                    }
                    return Errno.EAGAIN.negative();
                }
                int chunk = Math.min(skb.len - skb.consumed, size);
                skbs.copyTo(skb, skb.consumed, buffer, copied, chunk);
                copied += chunk;
                size -= chunk;
                skb.consumed += chunk;
                if (skb.consumed < skb.len) {
                    break;
                }
                sk.receiveQueue.poll();
                skbs.kfreeSkb(skb);
            }
            return copied;
        }
    }
}
