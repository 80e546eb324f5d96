package org.mmemu.it.walk;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.mmemu.slab.Kmalloc;

/**
 * {@code kmalloc(size, GFP_KERNEL_ACCOUNT)} in a task's context (the test-only path): from 5.9
 * charged its {@code obj_full_size} to the task's obj_cgroup; it outlives the task until
 * {@link Kfree}.
 */
record KmallocObject(String task, String id, int size) implements Action {
    static final ActionKind KIND = ActionKind.of(6, (w, rnd) -> {
        ModelTask t = w.anyTask(rnd);
        return t == null ? null : new KmallocObject(t.id, w.newId("o"), rnd.nextInt(1, Kmalloc.KMALLOC_MAX_CACHE_SIZE / 2));
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        if (t == null) {
            return;
        }
        long bytes = w.m.rules.slabBytesCharged() ? Kmalloced.fullSize(w.k, size) : 0;
        long address;
        try (var running = w.k.enter(t.task)) {
            address = w.k.get(Kmalloc.class).kmalloc(size, GFP_KERNEL_ACCOUNT);
        }
        if (address == 0) {
            w.assertMayFail(t.cgroup, bytes, toString());
            return;
        }
        w.m.objects.put(id, new Model.SlabObject(address, t.cgroup, bytes));
        w.m.charge(t.cgroup, bytes);
    }
}
