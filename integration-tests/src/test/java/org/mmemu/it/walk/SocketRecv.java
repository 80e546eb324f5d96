package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/**
 * {@code recv(fd, buf, max, MSG_DONTWAIT)} on one end of a socketpair the task holds: as many
 * bytes as the model has queued there (a stream's across skbs, a datagram cut to {@code max}),
 * or {@code EAGAIN}; each skb emptied is freed by the receiver and uncharged from its sender's
 * cgroup.
 */
record SocketRecv(String task, String pair, int end, int max) implements Action {
    static final ActionKind KIND = ActionKind.of(5, (w, rnd) -> {
        World.HeldSocket h = w.anyHeldSocket(rnd);
        if (h == null) {
            return null;
        }
        int end = h.pair().hasQueued(0) ? 0 : 1;
        return new SocketRecv(h.task().id, h.pair().id, end, rnd.nextInt(1, 8 * ModelPipe.PAGE));
    });

    @Override
    public void apply(World w) {
        World.HeldSocket held = w.heldSocket(task, pair);
        if (held == null) {
            return;
        }
        ModelTask t = held.task();
        long expected = held.pair().recv(w.m, end, max);
        if (expected == 0) {
            World.expectErrno(Errno.EAGAIN, toString(), () -> t.task.recv(held.fds()[end], max));
            return;
        }
        int got;
        try {
            got = t.task.recv(held.fds()[end], max).length;
        } catch (ErrnoException e) {
            throw new AssertionError(this + ": the model receives " + expected + " bytes, the kernel said " + e.errno(), e);
        }
        if (got != expected) {
            throw new AssertionError(this + ": the model receives " + expected + " bytes, the kernel " + got);
        }
    }
}
