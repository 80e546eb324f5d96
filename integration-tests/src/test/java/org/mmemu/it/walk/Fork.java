package org.mmemu.it.walk;

import java.util.Map;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.Task;

/**
 * {@code fork()}: a child in the parent's cgroup, sharing the parent's pipes, sockets and BPF maps;
 * its pgd is allocated in the parent's context and so charged to the parent's cgroup, and so are
 * the page tables its copies of the parent's mappings of BPF arrays need ({@link ModelBpf#fork}).
 */
record Fork(String parent, String child) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        ModelTask t = w.anyTask(rnd);
        return t == null ? null : new Fork(t.id, w.newId("t"));
    });

    @Override
    public void apply(World w) {
        ModelTask p = w.m.tasks.get(parent);
        if (p == null) {
            return;
        }
        Task task;
        try {
            task = p.task.fork();
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOMEM) {
                throw e;
            }
            w.assertMayFail(p.cgroup, Model.PAGE * (1 + p.pageTables.size()), toString());
            return;
        }
        ModelTask c = new ModelTask(child, task, p.cgroup, w.m.allocPage(w.m.rules.pgdCharged() ? p.cgroup : null));
        p.cgroup.tasks++;
        for (Map.Entry<ModelPipe, int[]> e : p.pipes.entrySet()) {
            e.getKey().holders++;
            c.pipes.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<ModelSocketPair, int[]> e : p.sockets.entrySet()) {
            e.getKey().holders++;
            c.sockets.put(e.getKey(), e.getValue());
        }
        w.m.bpf.fork(w.m, w.geometry, p, c, w.m.rules.pgdCharged() ? p.cgroup : null);
        w.m.tasks.put(child, c);
    }
}
