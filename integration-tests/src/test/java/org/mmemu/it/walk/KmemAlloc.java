package org.mmemu.it.walk;

import org.mmemu.it.fixture.ChargedPages;

/**
 * A kernel page charged by a task ({@code alloc_kmem_pages} with {@code GFP_KERNEL_ACCOUNT}, in
 * its context, through the {@link ChargedPages} fixture): charged in every era; it outlives the
 * task until {@link KmemFree}.
 */
record KmemAlloc(String task, String id) implements Action {
    static final ActionKind KIND = ActionKind.of(6, (w, rnd) -> {
        ModelTask t = w.anyTask(rnd);
        return t == null ? null : new KmemAlloc(t.id, w.newId("k"));
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        if (t == null) {
            return;
        }
        ChargedPages page = ChargedPages.charge(w.k, t.task, Model.PAGE);
        if (page.bytes() == 0) {
            w.assertMayFail(t.cgroup, Model.PAGE, toString());
            return;
        }
        w.m.kmemPages.put(id, new Model.KmemPage(page, t.cgroup));
        w.m.heldPages++;
        w.m.charge(t.cgroup, Model.PAGE);
    }
}
