package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.net.SocketType;

/**
 * {@code socketpair(AF_UNIX, type, 0, sv)}: two socks and their {@code struct socket}s, slab
 * objects allocated in the task's context (net/socket.c {@code __sys_socketpair},
 * net/unix/af_unix.c {@code unix_create1}), charged to its cgroup as {@link ChargeRules} says;
 * {@code ENOMEM} only where a {@code memory.max} may refuse them.
 */
record SocketPairCreate(SocketType type, String task, String id) implements Action {
    static final ActionKind STREAM = kind(SocketType.STREAM);
    static final ActionKind DGRAM = kind(SocketType.DGRAM);

    private static ActionKind kind(SocketType type) {
        return ActionKind.of(2, (w, rnd) -> {
            ModelTask t = w.anyTask(rnd);
            return t == null || t.sockets.size() >= 2 ? null : new SocketPairCreate(type, t.id, w.newId("s"));
        });
    }

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        if (t == null) {
            return;
        }
        long bytes = w.m.rules.slabBytesCharged() ? 2 * w.skbCosts.sockBytes(w.m.rules) : 0;
        int[] fds;
        try {
            fds = t.task.socketpair(type);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOMEM) {
                throw e;
            }
            w.assertMayFail(t.cgroup, bytes, toString());
            return;
        }
        ModelSocketPair s = new ModelSocketPair(id, type, t.cgroup, bytes);
        w.m.charge(t.cgroup, bytes);
        w.m.sockets.put(id, s);
        t.sockets.put(s, fds);
    }
}
