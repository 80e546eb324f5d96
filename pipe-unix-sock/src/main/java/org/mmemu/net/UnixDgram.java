package org.mmemu.net;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.page.MemMap;

/**
 * A datagram socket's messages (net/unix/af_unix.c {@code unix_dgram_sendmsg},
 * {@code unix_dgram_recvmsg}), without blocking, to and from a connected peer. A message goes
 * whole in one skb, or not at all: over the send buffer less 32 bytes it is {@code -EMSGSIZE};
 * above {@code SKB_MAX_ALLOC} what exceeds it (at most 17 pages) goes in page fragments of up to
 * {@code PAGE_ALLOC_COSTLY_ORDER}. The receiver's {@code max_dgram_qlen} does not apply: the
 * kernel only checks {@code unix_recvq_full} when the receiver is not connected back to the
 * sender ({@code unix_peer(other) != sk}), never so for a socketpair; the send buffer is the
 * limit. A send to a closed peer is {@code -ECONNREFUSED} once (the socket is disconnected),
 * {@code -ENOTCONN} after; no signal.
 */
public final class UnixDgram {
    /** {@code PAGE_ALLOC_COSTLY_ORDER}. */
    static final int PAGE_ALLOC_COSTLY_ORDER = 3;

    private final SkBuffs skbs;

    @Inject
    UnixDgram(SkBuffs skbs) {
        this.skbs = skbs;
    }

    /**
     * {@code unix_dgram_sendmsg(sock, msg, data.length)} with {@code MSG_DONTWAIT}.
     *
     * @return the message's length; {@code -EMSGSIZE}, {@code -EAGAIN} while the send buffer is
     *     full, {@code -ECONNREFUSED}, {@code -ENOTCONN}, {@code -ENOBUFS} if no buffer could be
     *     had (charged)
     */
    public long sendmsg(UnixSock sk, byte[] data) {
        int len = data.length;
        synchronized (sk.pairLock) {
            UnixSock other = sk.peer;
            if (other == null) {
                return Errno.ENOTCONN.negative();
            }
            if (len > sk.sndbuf - 32) {
                return Errno.EMSGSIZE.negative();
            }
            int dataLen = 0;
            if (len > SkBuffs.SKB_MAX_ALLOC) {
                dataLen = Math.min(len - SkBuffs.SKB_MAX_ALLOC, SkBuffs.MAX_SKB_FRAGS * MemMap.PAGE_SIZE);
                dataLen = (int) MemMap.pageAlign(dataLen);
            }
            SkBuff skb = skbs.sockAllocSendPskb(sk, len - dataLen, dataLen, PAGE_ALLOC_COSTLY_ORDER);
            if (skb == null) {
                return sk.allocErr;
            }
            skbs.copyFrom(skb, len - dataLen, data, 0, len);
            if (other.dead) {
                sk.peer = null;
                other.sockPut();
                skbs.kfreeSkb(skb);
                return Errno.ECONNREFUSED.negative();
            }
            other.receiveQueue.add(skb);
            return len;
        }
    }

    /**
     * {@code unix_dgram_recvmsg(sock, msg, buffer.length, MSG_DONTWAIT)}: the next message into
     * {@code buffer}, its excess beyond the buffer discarded ({@code MSG_TRUNC}), its skb freed.
     *
     * @return the bytes received; {@code -EAGAIN} when nothing is queued
     */
    public long recvmsg(UnixSock sk, byte[] buffer) {
        synchronized (sk.pairLock) {
            SkBuff skb = sk.receiveQueue.poll();
            if (skb == null) {
                return Errno.EAGAIN.negative();
            }
            int copied = Math.min(buffer.length, skb.len);
            skbs.copyTo(skb, 0, buffer, 0, copied);
            skbs.kfreeSkb(skb);
            return copied;
        }
    }
}
