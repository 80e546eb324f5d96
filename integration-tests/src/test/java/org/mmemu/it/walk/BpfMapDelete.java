package org.mmemu.it.walk;

import org.mmemu.core.Errno;

/**
 * {@code bpf(BPF_MAP_DELETE_ELEM)} by a task holding the map: {@code EINVAL} for an array
 * ({@code array_map_delete_elem}), {@code ENOENT} for a key the hash lacks; a preallocated
 * element goes back to the freelist, a kmalloc'd one is freed (and uncharged from
 * {@code map->memcg}) after a grace period ({@code free_htab_elem}), and in the latest era it
 * goes back to the map's {@code bpf_mem_alloc}, still charged.
 */
record BpfMapDelete(String task, String map, int key) implements Action {
    static final ActionKind KIND = ActionKind.of(5, (w, rnd) -> {
        World.HeldMap h = w.anyHeldMap(rnd);
        return h == null ? null : new BpfMapDelete(h.task().id, h.map().id, BpfMapKeys.pick(h.map(), rnd));
    });

    @Override
    public void apply(World w) {
        World.HeldMap held = w.heldMap(task, map);
        if (held == null) {
            return;
        }
        ModelBpfMap m = held.map();
        Errno expected = !m.kind.hash() ? Errno.EINVAL : m.elements.containsKey(key) ? null : Errno.ENOENT;
        Errno errno = BpfMapUpdate.errnoOf(() -> held.task().task.bpfMapDelete(held.fd(), BpfMapKeys.key(m, key)));
        BpfMapUpdate.assertOutcome(this, expected, errno);
        if (errno == null) {
            long bytes = m.elements.remove(key);
            if (bytes > 0) {
                w.m.bpf.unchargeAfterGracePeriod(w.m, m.memcg, bytes);
            }
        }
        m.syncCache(w.m);
    }
}
