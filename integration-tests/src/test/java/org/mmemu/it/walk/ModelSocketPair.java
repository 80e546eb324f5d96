package org.mmemu.it.walk;

import java.util.ArrayDeque;
import java.util.Deque;
import org.mmemu.net.SocketType;
import org.mmemu.net.SockOpts;

/**
 * The model's AF_UNIX socketpair (net/unix/af_unix.c {@code unix_stream_sendmsg},
 * {@code unix_stream_read_generic}, {@code unix_dgram_sendmsg}, {@code unix_dgram_recvmsg},
 * {@code unix_release_sock}): each end's receive queue of skbs and its {@code sk_wmem_alloc}
 * (the {@code truesize} of what it sent and is still queued), so that the model knows what a
 * send charges to the sender's cgroup, what a receive uncharges (from the sender's, whoever
 * receives) and when a send finds its buffer full. Both ends are held by the same tasks (the
 * walk opens and closes them together), so no end is ever half-closed; the last holder's close
 * frees both queues and both socks.
 */
final class ModelSocketPair {
    /** One queued skb: who was charged for it, and the costs the model gave it. */
    private record Queued(ModelCgroup owner, int sender, SkbCosts.Skb skb, long charged, int[] consumed) {
    }

    /** Why a send stopped. */
    enum Stop { DONE, FULL, NO_BUFFER, TOO_BIG }

    /** What the model says a send did. */
    record Sent(long bytes, Stop stop) {
    }

    final String id;
    final SocketType type;
    final ModelCgroup creator;
    final long sockBytes;
    int holders = 1;
    private final Deque<Queued>[] queues;
    private final int[] wmem = new int[2];

    @SuppressWarnings("unchecked")
    ModelSocketPair(String id, SocketType type, ModelCgroup creator, long sockBytes) {
        this.id = id;
        this.type = type;
        this.creator = creator;
        this.sockBytes = sockBytes;
        this.queues = new Deque[] {new ArrayDeque<Queued>(), new ArrayDeque<Queued>()};
    }

    /**
     * A send of {@code len} bytes from end {@code from} by a task of {@code sender}, of which
     * the kernel sent {@code observed}: a buffer the model would need once {@code observed}
     * bytes are sent is taken as one that could not be charged ({@link Stop#NO_BUFFER}), which
     * the caller checks.
     */
    Sent send(Model m, SkbCosts costs, ModelCgroup sender, int from, int len, long observed) {
        int sndbuf = SockOpts.WMEM_DEFAULT;
        if (type == SocketType.DGRAM) {
            if (len > sndbuf - 32) {
                return new Sent(0, Stop.TOO_BIG);
            }
            if (wmem[from] >= sndbuf) {
                return new Sent(0, Stop.FULL);
            }
            if (observed <= 0) {
                return new Sent(0, Stop.NO_BUFFER);
            }
            queue(m, sender, from, costs.dgramSkb(len));
            return new Sent(len, Stop.DONE);
        }
        int sent = 0;
        while (sent < len) {
            if (wmem[from] >= sndbuf) {
                return new Sent(sent, Stop.FULL);
            }
            if (sent == observed) {
                return new Sent(sent, Stop.NO_BUFFER);
            }
            SkbCosts.Skb skb = costs.streamSkb(len - sent, sndbuf);
            queue(m, sender, from, skb);
            sent += skb.len();
        }
        return new Sent(sent, Stop.DONE);
    }

    private void queue(Model m, ModelCgroup sender, int from, SkbCosts.Skb skb) {
        long charged = (m.rules.slabBytesCharged() ? skb.slabBytes() : 0)
                + (m.rules.socketBuffersCharged() ? skb.fragBytes() : 0);
        m.charge(sender, charged);
        m.heldPages += skb.fragBytes() / Model.PAGE;
        wmem[from] += skb.truesize();
        queues[1 - from].addLast(new Queued(sender, from, skb, charged, new int[1]));
    }

    /** A receive of up to {@code max} bytes at end {@code at}: how many it returns, 0 if nothing is queued. */
    long recv(Model m, int at, int max) {
        Deque<Queued> q = queues[at];
        if (type == SocketType.DGRAM) {
            Queued d = q.pollFirst();
            if (d == null) {
                return 0;
            }
            free(m, d);
            return Math.min(max, d.skb().len());
        }
        long copied = 0;
        while (copied < max && !q.isEmpty()) {
            Queued s = q.peekFirst();
            int chunk = (int) Math.min(s.skb().len() - s.consumed()[0], max - copied);
            copied += chunk;
            s.consumed()[0] += chunk;
            if (s.consumed()[0] < s.skb().len()) {
                break;
            }
            free(m, q.pollFirst());
        }
        return copied;
    }

    /** Whether end {@code at} has something queued. */
    boolean hasQueued(int at) {
        return !queues[at].isEmpty();
    }

    /** {@code kfree_skb}: the sender's write memory back, the fragments freed, the charges given back. */
    private void free(Model m, Queued s) {
        wmem[s.sender()] -= s.skb().truesize();
        m.heldPages -= s.skb().fragBytes() / Model.PAGE;
        m.uncharge(s.owner(), s.charged());
    }

    /** The last close: both ends' queues purged, both socks freed, their charges back from the creator. */
    void free(Model m) {
        for (Deque<Queued> q : queues) {
            while (!q.isEmpty()) {
                free(m, q.pollFirst());
            }
        }
        m.uncharge(creator, sockBytes);
    }
}
