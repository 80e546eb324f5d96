package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.mmemu.bpf.BpfMap;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfSyscall;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Cpus;
import org.mmemu.it.walk.ModelBpfMap.Kind;

/**
 * {@code bpf(BPF_MAP_CREATE)} by a task (kernel/bpf/syscall.c {@code map_create}): the map's
 * shape checked ({@code BPF_F_MMAPABLE} is {@code EINVAL} before 5.5), its cost charged to
 * root's memlock up to 5.10 ({@code EPERM} past {@code RLIMIT_MEMLOCK}), its allocations
 * ({@link BpfCosts}) charged to the task's cgroup from 5.11, which becomes {@code map->memcg};
 * {@code ENOMEM} only where a {@code memory.max} may refuse them. The walk's tasks are root, so
 * {@code max_entries} is not rounded up ({@code bpf_bypass_spec_v1}).
 */
record BpfMapCreate(Kind kind, String task, String id, int keySize, int valueSize, int maxEntries) implements Action {
    /** An array of up to 32 KiB: kmalloc'd, a slab object or a {@code kmalloc_large} block. */
    static final ActionKind ARRAY = ActionKind.of(2, (w, rnd) -> next(w, rnd, Kind.ARRAY, 1, 1024,
            (v, r) -> r.nextInt(1, Math.min(64, (int) ((BpfCosts.KMALLOC_AREA_MAX - BpfCosts.BPF_ARRAY_SIZE)
                    / BpfCosts.roundUp8(v))) + 1)));
    /** An array of 32 to 64 KiB: vmalloc'd from 4.11, a kmalloc_large block before (9 to 16 memlock pages of 4.x's 16). */
    static final ActionKind ARRAY_LARGE = ActionKind.of(1, (w, rnd) -> next(w, rnd, Kind.ARRAY, 256, 4096,
            (v, r) -> r.nextInt((int) (BpfCosts.KMALLOC_AREA_MAX - BpfCosts.BPF_ARRAY_SIZE) / BpfCosts.roundUp8(v) + 1,
                    (int) (2 * BpfCosts.KMALLOC_AREA_MAX - BpfCosts.BPF_ARRAY_SIZE) / BpfCosts.roundUp8(v) + 1)));
    /** An mmapable array of one to four pages of values, after a page of header; seldom where it is {@code EINVAL}. */
    static final ActionKind MMAPABLE = ActionKind.of(3, (w, rnd) -> !w.m.rules.bpfMmapable() && rnd.nextInt(4) != 0 ? null
            : next(w, rnd, Kind.MMAPABLE, 8, MemMap.PAGE_SIZE, (v, r) -> r.nextInt(1, 4 * MemMap.PAGE_SIZE / BpfCosts.roundUp8(v) + 1)));
    /**
     * A preallocated hash of 64 to 160 entries: its elements' area (4 to 21 KiB) takes more pages
     * than its buckets' (one at most), so that a fallback to vmalloc tells which it was.
     */
    static final ActionKind HASH = ActionKind.of(2, (w, rnd) -> next(w, rnd, Kind.HASH, 8, 64, (v, r) -> r.nextInt(64, 161)));
    /** A hash without preallocation, of up to 64 entries. */
    static final ActionKind HASH_NO_PREALLOC = ActionKind.of(3, (w, rnd) -> next(w, rnd, Kind.HASH_NO_PREALLOC, 8, 64,
            (v, r) -> r.nextInt(1, 65)));

    /** The index of a preallocated hash's elements in {@link #areaSizes}, after its buckets. */
    private static final int HASH_ELEMS = 1;

    /** Picks a map's {@code max_entries} for its value size. */
    @FunctionalInterface
    private interface Entries {
        int of(int valueSize, SplittableRandom rnd);
    }

    private static Action next(World w, SplittableRandom rnd, Kind kind, int minValue, int maxValue, Entries entries) {
        ModelTask t = w.anyTask(rnd);
        if (t == null || t.maps.size() >= 3) {
            return null;
        }
        int valueSize = rnd.nextInt(minValue, maxValue + 1);
        int keySize = kind.hash() ? rnd.nextInt(Integer.BYTES, 17) : Integer.BYTES;
        return new BpfMapCreate(kind, t.id, w.newId("m"), keySize, valueSize, entries.of(valueSize, rnd));
    }

    private BpfMapType type() {
        return kind.hash() ? BpfMapType.HASH : BpfMapType.ARRAY;
    }

    private int flags() {
        return kind == Kind.MMAPABLE ? BpfMapFlags.MMAPABLE : kind == Kind.HASH_NO_PREALLOC ? BpfMapFlags.NO_PREALLOC : 0;
    }

    private int elemSize() {
        return BpfCosts.htabElemSize(keySize, valueSize);
    }

    /** The area sizes {@code bpf_map_area_alloc} is asked for, in order. */
    private List<Long> areaSizes(int nrCpus) {
        int elem = BpfCosts.roundUp8(valueSize);
        return switch (kind) {
            case ARRAY -> List.of(BpfCosts.BPF_ARRAY_SIZE + (long) maxEntries * elem);
            case MMAPABLE -> List.of(MemMap.pageAlign(BpfCosts.BPF_ARRAY_SIZE) + MemMap.pageAlign((long) maxEntries * elem));
            case HASH -> List.of(BpfCosts.buckets(maxEntries) * BpfCosts.BUCKET_SIZE,
                    (long) elemSize() * (maxEntries + nrCpus));
            case HASH_NO_PREALLOC -> List.of(BpfCosts.buckets(maxEntries) * BpfCosts.BUCKET_SIZE);
        };
    }

    /**
     * What {@code bpf_map_charge_init} charges to memlock: an array's area ({@code array_size});
     * a hash's buckets, {@code max_entries} elements and one per possible CPU, preallocated or not.
     */
    private long memlockCost(int nrCpus) {
        if (!kind.hash()) {
            return areaSizes(nrCpus).get(0);
        }
        return BpfCosts.buckets(maxEntries) * BpfCosts.BUCKET_SIZE + (long) elemSize() * (maxEntries + nrCpus);
    }

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        if (t == null) {
            return;
        }
        ChargeRules rules = w.m.rules;
        if (kind == Kind.MMAPABLE && !rules.bpfMmapable()) {
            World.expectErrno(Errno.EINVAL, toString(), () -> create(t));
            return;
        }
        int nrCpus = w.k.get(Cpus.class).nrCpus();
        long memlock = rules.bpfMemlock() ? BpfCosts.pages(memlockCost(nrCpus)) : 0;
        long limit = t.task.taskStruct().rlimit(Rlimits.RLIMIT_MEMLOCK);
        if (memlock > 0 && limit != Rlimits.RLIM_INFINITY && w.m.bpf.lockedPages + memlock > limit >>> MemMap.PAGE_SHIFT) {
            World.expectErrno(Errno.EPERM, toString() + " (memlock " + w.m.bpf.lockedPages + " + " + memlock + " pages)",
                    () -> create(t));
            return;
        }
        boolean accounted = rules.bpfAccounted();
        List<Long> sizes = areaSizes(nrCpus);
        BpfCosts.Vmallocs before = w.bpfCosts.vmallocs();
        int fd;
        try {
            fd = create(t);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOMEM) {
                throw new AssertionError(this + ": the model expects a map, the kernel said " + e.errno(), e);
            }
            w.assertMayFail(t.cgroup, accounted ? mostBytes(w, sizes) : 0, toString());
            return;
        }
        if (!t.task.isAlive()) {
            // The memcg OOM killer took the creator during the create (the htab's GFP_USER, the
            // latest's GFP_KERNEL prefill): its exit closed the fd, so the map is freed after a
            // grace period. Ending it now spares the model what the map's caches held.
            w.reapKilled();
            new RcuBarrier().apply(w);
            return;
        }
        List<BpfCosts.Alloc> allocs = allocs(w, t, sizes, w.bpfCosts.vmallocs().minus(before), accounted);
        BpfMap map = null;
        long elementBytes = 0;
        if (kind == Kind.HASH_NO_PREALLOC && accounted) {
            boolean memAlloc = rules.bpfMemAlloc();
            map = memAlloc ? emulatorMap(w, t, fd) : null;
            elementBytes = w.bpfCosts.kmallocBytes(elemSize() + (memAlloc ? BpfCosts.LLIST_NODE_SZ : 0));
        }
        ModelBpfMap m = new ModelBpfMap(id, kind, keySize, valueSize, maxEntries, t.cgroup, accounted ? t.cgroup : null,
                memlock, allocs, map, elementBytes);
        for (BpfCosts.Alloc a : allocs) {
            w.m.charge(t.cgroup, a.bytes());
            w.m.heldPages += a.pages();
        }
        w.m.bpf.lockedPages += memlock;
        w.m.bpf.maps.put(id, m);
        t.maps.put(m, fd);
        m.syncCache(w.m);
    }

    /**
     * What the create allocated, given the vmalloc areas and pages it added: the htab's struct,
     * then each area as it went; an area that fell back to vmalloc must have met a limit.
     */
    private List<BpfCosts.Alloc> allocs(World w, ModelTask t, List<Long> sizes, BpfCosts.Vmallocs grown,
                                        boolean accounted) {
        boolean[] forced = forcedVmalloc(w.m.rules, sizes);
        boolean[] vmalloced = BpfCosts.vmalloced(sizes, forced, grown);
        List<BpfCosts.Alloc> allocs = new ArrayList<>();
        if (kind.hash()) {
            allocs.add(w.bpfCosts.alloc(BpfCosts.BPF_HTAB_SIZE, false, accounted));
        }
        for (int i = 0; i < sizes.size(); i++) {
            long size = sizes.get(i);
            if (vmalloced[i] && !forced[i]) {
                // The area's kmalloc failed: only a charge refused at a limit explains it.
                if (!accounted) {
                    throw new AssertionError(this + ": an unaccounted area of " + size + " bytes fell back to vmalloc");
                }
                w.assertMayFail(t.cgroup, w.bpfCosts.kmallocBytes(size), this + " (the kmalloc of " + size + " bytes)");
            }
            allocs.add(w.bpfCosts.alloc(size, vmalloced[i], accounted));
        }
        return allocs;
    }

    /**
     * The areas that are vmalloc'd without a kmalloc first: an mmapable array's; from 4.11
     * those above {@link BpfCosts#KMALLOC_AREA_MAX}; in 4.7 and 4.8 a hash's elements only.
     */
    private boolean[] forcedVmalloc(ChargeRules rules, List<Long> sizes) {
        boolean[] forced = new boolean[sizes.size()];
        for (int i = 0; i < forced.length; i++) {
            forced[i] = kind == Kind.MMAPABLE
                    || (rules.bpfMapAreaAlloc() ? sizes.get(i) > BpfCosts.KMALLOC_AREA_MAX : kind == Kind.HASH && i == HASH_ELEMS);
        }
        return forced;
    }

    /** What the create may charge at most: each area kmalloc'd or vmalloc'd, whichever costs more. */
    private long mostBytes(World w, List<Long> sizes) {
        long bytes = kind.hash() ? w.bpfCosts.kmallocBytes(BpfCosts.BPF_HTAB_SIZE) : 0;
        for (long size : sizes) {
            bytes += Math.max(w.bpfCosts.kmallocBytes(size), MemMap.pageAlign(size));
        }
        return bytes;
    }

    private int create(ModelTask t) {
        return t.task.bpfMapCreate(type(), keySize, valueSize, maxEntries, flags());
    }

    /** The emulator's map behind {@code fd}, whose {@code bpf_mem_alloc} caches the model reads. */
    private static BpfMap emulatorMap(World w, ModelTask t, int fd) {
        File f = t.task.taskStruct().files().fget(fd);
        try {
            return w.k.get(BpfSyscall.class).mapOf(f);
        } finally {
            f.put();
        }
    }
}
