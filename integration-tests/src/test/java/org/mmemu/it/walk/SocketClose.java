package org.mmemu.it.walk;

/**
 * {@code close(2)} of both ends of a socketpair: the last holder's close releases both socks
 * ({@code unix_release_sock}), purging their queues, and uncharges the senders and the creator.
 */
record SocketClose(String task, String pair) implements Action {
    static final ActionKind KIND = ActionKind.of(2, (w, rnd) -> {
        World.HeldSocket h = w.anyHeldSocket(rnd);
        return h == null ? null : new SocketClose(h.task().id, h.pair().id);
    });

    @Override
    public void apply(World w) {
        World.HeldSocket held = w.heldSocket(task, pair);
        if (held != null) {
            held.task().task.close(held.fds()[0]);
            held.task().task.close(held.fds()[1]);
            w.m.drop(held.task(), held.pair());
        }
    }
}
