package org.mmemu.net;

import java.util.ArrayDeque;

/**
 * {@code struct unix_sock} with its {@code struct sock} (include/net/af_unix.h,
 * include/net/sock.h), as far as a socketpair uses it. Its fields are this object; its memory is
 * an object of the {@code UNIX} cache at {@link #address()} (and the {@code struct socket}'s, a
 * {@code sock_inode_cache} object at {@link #socketAddress()}), both made and freed by
 * {@link UnixSockets}. The socket's lock ({@code unix_state_lock}) is the monitor of the pair's
 * {@link #pairLock}, shared so a send can look at both ends at once.
 *
 * <p>Lifetime as in the kernel: {@code sk_refcnt} counts the file and the peer's pointer;
 * {@code sk_wmem_alloc} starts at one and counts the {@code truesize} of every buffer this socket
 * sent that is still queued at the peer, so a closed socket's sock lives until the last of its
 * buffers is consumed.
 */
public final class UnixSock {
    /** The freed skbs' objects a socket keeps: a 64 KiB stream send makes two. */
    static final int FREE_SKBS = 4;
    /** {@code SHUTDOWN_MASK}: both directions shut. */
    static final int SHUTDOWN_MASK = 3;
    /** {@code RCV_SHUTDOWN}. */
    static final int RCV_SHUTDOWN = 1;
    /** {@code SEND_SHUTDOWN}. */
    static final int SEND_SHUTDOWN = 2;

    final long address;
    final long socketAddress;
    final SocketType type;
    final Object pairLock;
    final UnixSockets sockets;
    /** {@code sk->sk_allocation}. */
    final int allocation;
    /** {@code unix_peer(sk)}. */
    UnixSock peer;
    final ArrayDeque<SkBuff> receiveQueue = new ArrayDeque<>();
    int sndbuf = SockOpts.WMEM_DEFAULT;
    int rcvbuf = SockOpts.RMEM_DEFAULT;
    int wmemAlloc = 1;
    int refcnt = 1;
    int shutdown;
    /** {@code sk->sk_err}: a positive errno, 0 for none. */
    int err;
    /**
     * The negative errno of this socket's last failed {@code sock_alloc_send_pskb}: the kernel's
     * {@code int *errcode} out-parameter, kept here (under the socket's lock) so that a send
     * allocates no array for it.
     */
    int allocErr;
    /** Freed skbs of this socket, their Java objects for its next ones; at most {@link #FREE_SKBS}. */
    private SkBuff freeSkbs;
    private int nrFreeSkbs;
    /** {@code SOCK_DEAD}: orphaned by {@code unix_release_sock}. */
    boolean dead;

    UnixSock(long address, long socketAddress, SocketType type, Object pairLock, UnixSockets sockets, int allocation) {
        this.address = address;
        this.socketAddress = socketAddress;
        this.type = type;
        this.pairLock = pairLock;
        this.sockets = sockets;
        this.allocation = allocation;
    }

    /** The emulated address of the {@code unix_sock}. */
    public long address() {
        return address;
    }

    /** The emulated address of the {@code struct socket} ({@code socket_alloc} with its inode). */
    public long socketAddress() {
        return socketAddress;
    }

    /** {@code sk->sk_type}. */
    public SocketType type() {
        return type;
    }

    /** {@code sk->sk_sndbuf}. */
    public int sndbuf() {
        synchronized (pairLock) {
            return sndbuf;
        }
    }

    /** {@code sk->sk_rcvbuf}. */
    public int rcvbuf() {
        synchronized (pairLock) {
            return rcvbuf;
        }
    }

    /** {@code sk_wmem_alloc_get(sk)}: the {@code truesize} of this socket's buffers not yet freed. */
    public int wmemAllocGet() {
        synchronized (pairLock) {
            return wmemAlloc - 1;
        }
    }

    /** {@code skb_queue_len(&sk->sk_receive_queue)}. */
    public int receiveQueueLen() {
        synchronized (pairLock) {
            return receiveQueue.size();
        }
    }

    /** A freed skb of this socket whose object a new one may take, or null. Under the pair lock. */
    SkBuff takeFreeSkb() {
        SkBuff skb = freeSkbs;
        if (skb != null) {
            freeSkbs = skb.nextFree;
            nrFreeSkbs--;
        }
        return skb;
    }

    /** Keeps a freed skb's object (owned by this socket) for the next. Under the pair lock. */
    void putFreeSkb(SkBuff skb) {
        if (nrFreeSkbs < FREE_SKBS) {
            skb.nextFree = freeSkbs;
            freeSkbs = skb;
            nrFreeSkbs++;
        }
    }

    /** {@code sock_wfree}: a buffer's {@code truesize} back; the last unit frees the sock ({@code __sk_free}). */
    void sockWfree(int truesize) {
        wmemAlloc -= truesize;
        if (wmemAlloc == 0) {
            sockets.skPrivFree(this);
        }
    }

    /** {@code sock_put(sk)}: the last reference drops the sock's own unit of write memory ({@code sk_free}). */
    void sockPut() {
        if (--refcnt == 0) {
            sockWfree(1);
        }
    }

    @Override
    public String toString() {
        return "unix_sock@" + Long.toHexString(address) + "(" + type + ")";
    }
}
