package org.mmemu.it.walk;

import org.mmemu.core.Errno;

/** Writing a pid to {@code cgroup.procs}: the task moves, its charges stay where they were made. */
record Move(String id, String path) implements Action {
    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> {
        ModelTask t = w.anyTask(rnd);
        return t == null ? null : new Move(t.id, World.anyPath(rnd));
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(id);
        if (t == null) {
            return;
        }
        ModelCgroup g = w.m.cgroup(path);
        if (g == null) {
            World.expectErrno(Errno.ENOENT, toString(), () -> t.task.moveTo(path));
            return;
        }
        if (g.subtreeMemory) {
            World.expectErrno(Errno.EBUSY, toString(), () -> t.task.moveTo(path));
            return;
        }
        t.task.moveTo(path);
        t.cgroup.tasks--;
        g.tasks++;
        t.cgroup = g;
    }
}
