package org.mmemu.it.walk;

/** {@code close(2)} of a map fd: the task's reference goes; the map's last one frees it after a grace period. */
record BpfMapClose(String task, String map) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        World.HeldMap h = w.anyHeldMap(rnd);
        return h == null ? null : new BpfMapClose(h.task().id, h.map().id);
    });

    @Override
    public void apply(World w) {
        World.HeldMap held = w.heldMap(task, map);
        if (held != null) {
            held.task().task.close(held.fd());
            held.task().maps.remove(held.map());
            w.m.bpf.drop(w.m, held.map());
        }
    }
}
