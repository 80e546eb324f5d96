package org.mmemu.it.walk;

import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/**
 * {@code bpf(BPF_MAP_UPDATE_ELEM)} by a task holding the map, whatever its cgroup now (a forked
 * child moved away, or the creator itself moved: the foreign case). An array's index out of
 * range is {@code E2BIG} and {@code BPF_NOEXIST} {@code EEXIST} ({@code array_map_update_elem});
 * a hash checks the flags against the key ({@code check_flags}), is {@code E2BIG} when full, and
 * without preallocation allocates the new element ({@code alloc_htab_elem}), the replaced one
 * freed after a grace period; from 5.11 that element is charged to {@code map->memcg}, never to
 * the updater, and in the latest era it comes from the map's {@code bpf_mem_alloc} (whose
 * objects are charged as its caches hold them, {@link ModelBpfMap#syncCache}): {@code ENOMEM}
 * only where that cgroup's {@code memory.max} may refuse the element (or the refills).
 */
record BpfMapUpdate(String task, String map, int key, long flags) implements Action {
    static final ActionKind KIND = ActionKind.of(8, (w, rnd) -> {
        World.HeldMap h = w.anyHeldMap(rnd);
        if (h == null) {
            return null;
        }
        int r = rnd.nextInt(10);
        long flags = r == 0 ? BpfUpdateFlags.NOEXIST : r == 1 ? BpfUpdateFlags.EXIST : BpfUpdateFlags.ANY;
        return new BpfMapUpdate(h.task().id, h.map().id, BpfMapKeys.pick(h.map(), rnd), flags);
    });

    /** The errno {@code call} failed with, or null if it succeeded. */
    static Errno errnoOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    /** Fails unless the kernel's outcome ({@code errno}, null for success) is the model's. */
    static void assertOutcome(Action what, Errno expected, Errno errno) {
        if (errno != expected) {
            throw new AssertionError(what + ": the model expects " + (expected == null ? "success" : expected)
                    + ", the kernel said " + (errno == null ? "success" : errno));
        }
    }

    @Override
    public void apply(World w) {
        World.HeldMap held = w.heldMap(task, map);
        if (held == null) {
            return;
        }
        ModelBpfMap m = held.map();
        boolean present = m.elements.containsKey(key);
        Errno expected = null;
        if (!m.kind.hash()) {
            expected = key >= m.maxEntries ? Errno.E2BIG : flags == BpfUpdateFlags.NOEXIST ? Errno.EEXIST : null;
        } else if (present && flags == BpfUpdateFlags.NOEXIST) {
            expected = Errno.EEXIST;
        } else if (!present && flags == BpfUpdateFlags.EXIST) {
            expected = Errno.ENOENT;
        } else if (!present && m.elements.size() >= m.maxEntries) {
            expected = Errno.E2BIG;
        }
        boolean allocates = expected == null && m.kind == ModelBpfMap.Kind.HASH_NO_PREALLOC;
        Errno errno = errnoOf(() -> held.task().task.bpfMapUpdate(held.fd(), BpfMapKeys.key(m, key),
                new byte[m.valueSize], flags));
        if (allocates && errno == Errno.ENOMEM && m.memcg != null) {
            // The element's kmalloc (or, latest, the refills of this CPU's cache), charged to
            // map->memcg, was refused at a limit.
            w.assertMayFail(m.memcg, m.elementBytes, this + " (the map's cgroup " + m.memcg + ")");
            m.syncCache(w.m);
            return;
        }
        assertOutcome(this, expected, errno);
        if (errno == null && m.kind.hash()) {
            long bytes = allocates && m.cache == null ? m.elementBytes : 0;
            Long replaced = m.elements.put(key, bytes);
            w.m.charge(m.memcg, bytes);
            if (replaced != null && replaced > 0) {
                w.m.bpf.unchargeAfterGracePeriod(w.m, m.memcg, replaced);
            }
        }
        m.syncCache(w.m);
        if (m.cache != null && m.cache.cachedObjects() == 0) {
            w.assertMayFail(m.memcg, m.elementBytes, this + ": the map's bpf_mem_alloc could not refill");
        }
    }
}
