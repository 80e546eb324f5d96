package org.mmemu.it.walk;

import java.util.List;

/** {@code free_kmem_pages} of a page {@link KmemAlloc} charged, from the idle context: its owner is uncharged. */
record KmemFree(String id) implements Action {
    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> {
        String id = World.pick(List.copyOf(w.m.kmemPages.keySet()), rnd);
        return id == null ? null : new KmemFree(id);
    });

    @Override
    public void apply(World w) {
        Model.KmemPage p = w.m.kmemPages.remove(id);
        if (p != null) {
            p.page().free();
            w.m.heldPages--;
            w.m.uncharge(p.owner(), Model.PAGE);
        }
    }
}
