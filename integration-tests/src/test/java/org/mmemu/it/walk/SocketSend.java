package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.net.SocketType;

/**
 * {@code send(fd, buf, bytes, MSG_DONTWAIT)} on one end of a socketpair the task holds: the
 * bytes the model's send takes ({@link ModelSocketPair#send}) must be those the kernel took,
 * charged to the sending task's cgroup; a send cut short by a buffer that could not be had
 * ({@code ENOBUFS}) must have met a {@code memory.max}.
 */
record SocketSend(String task, String pair, int end, int bytes) implements Action {
    static final ActionKind KIND = ActionKind.of(6, (w, rnd) -> {
        World.HeldSocket h = w.anyHeldSocket(rnd);
        if (h == null) {
            return null;
        }
        int n = h.pair().type == SocketType.DGRAM ? rnd.nextInt(1, SkbCosts.MAX_SLAB_DGRAM + 1)
                : rnd.nextBoolean() ? rnd.nextInt(1, 300) : rnd.nextInt(1, 10 * ModelPipe.PAGE);
        return new SocketSend(h.task().id, h.pair().id, rnd.nextInt(2), n);
    });

    @Override
    public void apply(World w) {
        World.HeldSocket held = w.heldSocket(task, pair);
        if (held == null) {
            return;
        }
        ModelTask t = held.task();
        long observed;
        Errno errno = null;
        try {
            observed = t.task.send(held.fds()[end], new byte[bytes]);
        } catch (ErrnoException e) {
            errno = e.errno();
            observed = 0;
        }
        ModelSocketPair.Sent model = held.pair().send(w.m, w.skbCosts, t.cgroup, end, bytes, observed);
        String what = this + " (kernel: " + (errno == null ? observed + " bytes" : errno) + ", model: " + model + ")";
        Errno expected = model.bytes() > 0 ? null : switch (model.stop()) {
            case FULL -> Errno.EAGAIN;
            case TOO_BIG -> Errno.EMSGSIZE;
            default -> Errno.ENOBUFS;
        };
        if (model.bytes() != observed || errno != expected) {
            throw new AssertionError(what + ": the kernel and the model disagree");
        }
        if (model.stop() == ModelSocketPair.Stop.NO_BUFFER) {
            w.assertMayFail(t.cgroup, w.skbCosts.streamSkb(bytes - (int) observed, Integer.MAX_VALUE).slabBytes()
                    + (long) (SkbCosts.STREAM_FRAGS + Model.PAGE), what);
        }
    }
}
