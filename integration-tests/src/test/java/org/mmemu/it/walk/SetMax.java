package org.mmemu.it.walk;

import org.mmemu.core.Errno;

/**
 * A write to {@code memory.max}: "max", or a few pages around the cgroup's usage, below it
 * included, where the write drains the stocks and the OOM killer takes the cgroup's tasks
 * ({@link World#reapKilled}).
 */
record SetMax(String path, String value) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        ModelCgroup g = w.anyCgroup(rnd);
        if (g == null) {
            return null;
        }
        if (rnd.nextInt(3) == 0) {
            return new SetMax(g.path, "max");
        }
        long pages = Math.max(0, g.subtreeBytes() / Model.PAGE + rnd.nextInt(-3, 24));
        return new SetMax(g.path, Long.toString(pages * Model.PAGE));
    });

    @Override
    public void apply(World w) {
        String file = path + "/memory.max";
        ModelCgroup g = w.m.cgroup(path);
        if (g == null) {
            World.expectErrno(Errno.ENOENT, toString(), () -> w.k.cgroupfs().write(file, value));
            return;
        }
        w.k.cgroupfs().write(file, value);
        g.maxBytes = value.equals("max") ? Long.MAX_VALUE : Long.parseLong(value) / Model.PAGE * Model.PAGE;
    }
}
