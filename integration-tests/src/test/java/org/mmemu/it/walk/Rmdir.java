package org.mmemu.it.walk;

import org.mmemu.core.Errno;

/**
 * {@code rmdir(2)} of a cgroup: {@code EBUSY} while it has tasks or children, {@code ENOENT} if
 * absent; otherwise its charges are counted at its parent from now on.
 */
record Rmdir(String path) implements Action {
    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> new Rmdir(World.anyPath(rnd)));

    @Override
    public void apply(World w) {
        ModelCgroup g = w.m.cgroup(path);
        if (g == null) {
            World.expectErrno(Errno.ENOENT, toString(), () -> w.k.cgroupfs().rmdir(path));
        } else if (g.tasks > 0 || !g.children.isEmpty()) {
            World.expectErrno(Errno.EBUSY, toString(), () -> w.k.cgroupfs().rmdir(path));
        } else {
            w.k.cgroupfs().rmdir(path);
            w.m.cgroups.remove(path);
            g.remove();
        }
    }
}
