package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.Task;

/** {@code Kernel.spawn}: a process in a cgroup (EBUSY if it enables memory for children), its pgd charged there. */
record Spawn(String id, String path) implements Action {
    static final ActionKind KIND = ActionKind.of(5, (w, rnd) -> {
        ModelCgroup g = w.anyCgroup(rnd);
        return g == null ? null : new Spawn(w.newId("t"), g.path);
    });

    @Override
    public void apply(World w) {
        ModelCgroup g = w.m.cgroup(path);
        if (g == null) {
            World.expectErrno(Errno.ENOENT, toString(), () -> w.k.spawn(path));
            return;
        }
        if (g.subtreeMemory) {
            World.expectErrno(Errno.EBUSY, toString(), () -> w.k.spawn(path));
            return;
        }
        Task task;
        try {
            task = w.k.spawn(path);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOMEM) {
                throw e;
            }
            w.assertMayFail(g, Model.PAGE, toString());
            return;
        }
        ModelPage pgd = w.m.allocPage(w.m.rules.pgdCharged() ? g : null);
        g.tasks++;
        w.m.tasks.put(id, new ModelTask(id, task, g, pgd));
    }
}
