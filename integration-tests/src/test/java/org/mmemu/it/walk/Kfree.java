package org.mmemu.it.walk;

import java.util.List;
import org.mmemu.slab.Kmalloc;

/** {@code kfree} of an object {@link KmallocObject} made, from the idle context: its obj_cgroup is uncharged. */
record Kfree(String id) implements Action {
    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> {
        String id = World.pick(List.copyOf(w.m.objects.keySet()), rnd);
        return id == null ? null : new Kfree(id);
    });

    @Override
    public void apply(World w) {
        Model.SlabObject o = w.m.objects.remove(id);
        if (o != null) {
            w.k.get(Kmalloc.class).kfree(o.address());
            w.m.uncharge(o.owner(), o.bytes());
        }
    }
}
