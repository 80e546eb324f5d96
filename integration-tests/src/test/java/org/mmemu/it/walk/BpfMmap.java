package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.page.MemMap;

/**
 * {@code mmap(NULL, pages, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)} of a map the task holds
 * (kernel/bpf/syscall.c {@code bpf_map_mmap}, arraymap.c {@code array_map_mmap}): before 5.5 a
 * map file has no {@code ->mmap} ({@code ENODEV}); a hash has no {@code map_mmap}
 * ({@code ENOTSUPP}); an array without {@code BPF_F_MMAPABLE}, or more pages than its values
 * take, is {@code EINVAL}. An mmapable array's pages are all inserted now
 * ({@code remap_vmalloc_range}), in page tables allocated in the task's context and charged
 * as its pgd is ({@link ModelPageTables}); {@code ENOMEM} only where a {@code memory.max} may
 * refuse them. The mapping holds the map's file.
 */
record BpfMmap(String task, String map, int pages) implements Action {
    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> {
        // Mostly an mmapable array; now and then any map, for the errors.
        World.HeldMap h = rnd.nextInt(4) == 0 ? w.anyHeldMap(rnd)
                : w.anyHeldMap(rnd, m -> m.kind == ModelBpfMap.Kind.MMAPABLE);
        if (h == null || h.task().mappings.size() >= 2 || mapping(h.task(), h.map()) != null) {
            return null;
        }
        long most = h.map().kind == ModelBpfMap.Kind.MMAPABLE ? h.map().valuePages() : 1;
        int pages = rnd.nextInt(8) == 0 ? (int) most + 1 : rnd.nextInt(1, (int) most + 1);
        return new BpfMmap(h.task().id, h.map().id, pages);
    });

    /** The task's mapping of {@code map}, or null. */
    static ModelMapping mapping(ModelTask t, ModelBpfMap map) {
        for (ModelMapping mapping : t.mappings) {
            if (mapping.map() == map) {
                return mapping;
            }
        }
        return null;
    }

    @Override
    public void apply(World w) {
        World.HeldMap held = w.heldMap(task, map);
        if (held == null || mapping(held.task(), held.map()) != null) {
            return;
        }
        ModelTask t = held.task();
        ModelBpfMap m = held.map();
        long len = (long) pages * MemMap.PAGE_SIZE;
        Errno expected = !w.m.rules.bpfMmapable() ? Errno.ENODEV
                : m.kind.hash() ? Errno.ENOTSUPP
                : m.kind != ModelBpfMap.Kind.MMAPABLE || pages > m.valuePages() ? Errno.EINVAL : null;
        if (expected != null) {
            World.expectErrno(expected, toString(), () -> t.task.mmap(held.fd(), len));
            return;
        }
        long addr;
        try {
            addr = t.task.mmap(held.fd(), len);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOMEM) {
                throw new AssertionError(this + ": the model expects a mapping, the kernel said " + e.errno(), e);
            }
            // At most a table per level below the pgd.
            w.assertMayFail(t.cgroup, Model.PAGE * w.geometry.top(), toString());
            return;
        }
        ModelMapping mapping = new ModelMapping(m, addr, len);
        t.mappings.add(mapping);
        w.m.bpf.hold(m);
        t.pageTables.set(w.m, ModelPageTables.needed(w.geometry, t.mappings), w.m.rules.pgdCharged() ? t.cgroup : null);
    }
}
