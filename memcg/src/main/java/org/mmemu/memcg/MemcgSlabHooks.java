package org.mmemu.memcg;

import com.google.inject.Inject;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.memcg.kmem.KmemStaticKey;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * memcg's hooks in the slab allocator's allocation and free paths, 5.9 and later (mm/slab.h's
 * {@code memcg_slab_pre_alloc_hook}, {@code memcg_slab_post_alloc_hook},
 * {@code memcg_slab_free_hook}, {@code mod_objcg_state}; 6.14's
 * {@code __memcg_slab_post_alloc_hook}/{@code __memcg_slab_free_hook}), each in the era's
 * {@link SlabAccounting}:
 *
 * <pre>
 *  pre-alloc   accounted (__GFP_ACCOUNT or SLAB_ACCOUNT) and kmem on: take the current
 *              objcg (a reference) and charge objects x obj_full_size bytes; 5.9 lets a failed
 *              charge allocate unaccounted, 5.10/5.11 fail the allocation. Latest: nothing.
 *  post-alloc  attach the page's vector if missing (a failure uncharges: object unaccounted),
 *              store the objcg (and a reference) in the object's slot, count
 *              NR_SLAB_(UN)RECLAIMABLE_B (latest: in the obj stock until a page's worth),
 *              drop the pre-alloc reference.
 *              Latest: take current_obj_cgroup; per object attach the vector, then charge
 *              and count in one obj stock entry (obj_cgroup_charge_account, 6.14); a failed
 *              charge fails.
 *  free        uncharge the slot's objcg (the owner's, whoever frees), clear the slot, uncount
 *              (latest: one refill_obj_stock for both), drop the object's objcg reference.
 * </pre>
 *
 * <p>An object that outlives its cgroup's {@code rmdir} is uncharged from the parent: its
 * obj_cgroup was reparented. The methods take the calling thread's {@link Cpu}, which the slab
 * allocator looked up once; with a stock hit they touch no shared word and allocate nothing.
 * The slab module declares the byte charges of its live objects to the charge check
 * ({@link ChargeOwner.Charges#objcgBytes}), as it walks its own slabs.
 */
public final class MemcgSlabHooks {
    private final SlabAccounting design;
    /** {@link SlabAccounting#vectorGfpClearMask()}, read once. */
    private final int vectorGfpClearMask;
    /** The design's answers, read once: the hooks test them on every accounted object. */
    private final boolean objcgVectors;
    private final boolean chargesAfterAlloc;
    private final boolean checkedReader;
    private final boolean cachesVmstats;
    private final KmemStaticKey key;
    private final ObjCgroups objcgs;
    private final ObjCgroupVectors vectors;
    private final MemMap memMap;

    @Inject
    public MemcgSlabHooks(SlabAccounting design, KmemStaticKey key, ObjCgroups objcgs,
                          ObjCgroupVectors vectors, MemMap memMap) {
        this.design = design;
        this.vectorGfpClearMask = design.vectorGfpClearMask();
        this.objcgVectors = design.objcgVectors();
        this.chargesAfterAlloc = design.chargesAfterAlloc();
        this.checkedReader = design.checkedReader();
        this.cachesVmstats = design.cachesVmstats();
        this.memMap = memMap;
        this.key = key;
        this.objcgs = objcgs;
        this.vectors = vectors;
    }

    /** The design these hooks follow. */
    public SlabAccounting design() {
        return design;
    }

    /**
     * {@code memcg_slab_pre_alloc_hook(s, objcgp, objects, gfp)} (with 5.9's accounted test
     * from {@code slab_pre_alloc_hook}): {@code objcgp[0]} is set to the objcg charged for
     * {@code objects} objects, holding a reference that {@link #postAllocHook} drops, or to
     * null when the allocation is not accounted here.
     *
     * @param objcgp a one-slot array the caller keeps (its CPU's), the kernel's out parameter
     * @return false when the allocation must fail (a failed charge, 5.10 and 5.11)
     */
    public boolean preAllocHook(Cpu cpu, MemcgSlabCache s, ObjCgroup[] objcgp, int objects, int gfp) {
        objcgp[0] = null;
        if (!objcgVectors || chargesAfterAlloc || !accounted(s, gfp)) {
            return true;
        }
        ObjCgroup objcg = objcgs.getObjCgroupFromCurrent(cpu);
        if (objcg == null) {
            return true;
        }
        if (objcgs.charge(cpu, objcg, gfp, objects * s.objFullSize()) != 0) {
            objcg.put(cpu);
            return !design.chargeFailureFails();
        }
        objcgp[0] = objcg;
        return true;
    }

    /** kmem accounting is on and the allocation asks for it. */
    private boolean accounted(MemcgSlabCache s, int gfp) {
        return key.isEnabled() && s.accounts(gfp);
    }

    /**
     * {@code memcg_slab_post_alloc_hook(s, objcg, gfp, size, p)}: each object of {@code p}
     * (kernel addresses of objects on slab pages; 0 where the allocation failed, whose share of
     * the charge is given back) gets {@code objcg} in its slot, with a reference of its own;
     * the reference {@link #preAllocHook} took is dropped. {@code objcg} is what the pre hook
     * left in {@code objcgp}. In the latest era ({@code __memcg_slab_post_alloc_hook})
     * {@code objcg} is ignored: the hook charges each object to the cached
     * {@code current_obj_cgroup} itself.
     *
     * @param p the objects, e.g. a one-slot array the caller keeps per CPU
     * @return false when the objects must be freed again and the allocation fail (latest era,
     *         a failed charge)
     */
    public boolean postAllocHook(Cpu cpu, MemcgSlabCache s, ObjCgroup objcg, int gfp, int size, long[] p) {
        if (chargesAfterAlloc) {
            return chargeAfterAlloc(cpu, s, gfp, size, p);
        }
        if (objcg == null) {
            return true;
        }
        for (int i = 0; i < size; i++) {
            if (p[i] == 0 || !store(cpu, s, objcg, gfp, p[i])) {
                objcgs.uncharge(cpu, objcg, s.objFullSize());
            }
        }
        objcg.put(cpu);
        return true;
    }

    /**
     * The latest {@code __memcg_slab_post_alloc_hook} (6.14+): for each object the page's vector
     * is attached if missing (a failed attach leaves the object unaccounted), then the object is
     * charged and its slab statistic counted through one obj stock entry
     * ({@code obj_cgroup_charge_account}); a failed charge fails the allocation.
     */
    private boolean chargeAfterAlloc(Cpu cpu, MemcgSlabCache s, int gfp, int size, long[] p) {
        if (!accounted(s, gfp)) {
            return true;
        }
        ObjCgroup objcg = objcgs.currentObjcg(cpu);
        // kmem_cache_alloc_bulk fills all of p or fails; a single failed object comes as p[0] 0.
        if (objcg == null || p[0] == 0) {
            return true;
        }
        for (int i = 0; i < size; i++) {
            if (!chargeObject(cpu, s, gfp, objcg, slabOf(p[i]), p[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #postAllocHook} of the latest era for one object, {@code slab_alloc_node}'s call
     * ({@code memcg_slab_post_alloc_hook(s, lru, flags, 1, &object)}): the same steps, without
     * the array the caller would have to keep. {@code slab} is the slab page the allocator took
     * {@code object} from ({@code virt_to_slab(object)}); {@code object} 0 is a failed
     * allocation, nothing to charge.
     *
     * @return false when the object must be freed again and the allocation fail
     */
    public boolean postAllocHook(Cpu cpu, MemcgSlabCache s, int gfp, Page slab, long object) {
        if (!accounted(s, gfp)) {
            return true;
        }
        ObjCgroup objcg = objcgs.currentObjcg(cpu);
        return objcg == null || object == 0 || chargeObject(cpu, s, gfp, objcg, slab, object);
    }

    /**
     * One object of the latest post hook: the vector of {@code page} attached if missing (a
     * failed attach leaves the object unaccounted), then the charge with its statistic in one
     * obj stock entry, a reference and the slot; false when the charge failed.
     */
    private boolean chargeObject(Cpu cpu, MemcgSlabCache s, int gfp, ObjCgroup objcg, Page page, long address) {
        ObjCgroupVector vector = vectorOrAttach(cpu, s, gfp, page);
        if (vector == null) {
            return true;
        }
        if (objcgs.chargeAccount(cpu, objcg, gfp, s.objFullSize(), vmstatItem(s)) != 0) {
            return false;
        }
        objcg.get(cpu);
        vector.set(s.objToIndex(page, address), objcg);
        return true;
    }

    /**
     * The slot of the object at {@code address} takes {@code objcg} and a reference on it, the
     * vector of its slab page attached first if the page has none; false when that attach
     * failed. The statistic is written at once (5.9 to 5.11).
     */
    private boolean store(Cpu cpu, MemcgSlabCache s, ObjCgroup objcg, int gfp, long address) {
        Page page = slabOf(address);
        ObjCgroupVector vector = vectorOrAttach(cpu, s, gfp, page);
        if (vector == null) {
            return false;
        }
        objcg.get(cpu);
        vector.set(s.objToIndex(page, address), objcg);
        objcg.memcg().stats().mod(cpu, vmstatItem(s), s.objFullSize());
        return true;
    }

    /** {@code virt_to_slab}: the head page of the slab holding {@code address}. */
    private Page slabOf(long address) {
        return CompoundHead.compoundHead(memMap, memMap.virtToPage(address));
    }

    /** The page's vector, attached first if it has none; null when that attach failed. */
    private ObjCgroupVector vectorOrAttach(Cpu cpu, MemcgSlabCache s, int gfp, Page page) {
        ObjCgroupVector vector = vector(cpu, page);
        if (vector == null) {
            if (vectors.memcgAllocPageObjCgroups(page, s.objects(page), gfp & ~vectorGfpClearMask) != 0) {
                return null;
            }
            vector = vector(cpu, page);
        }
        return vector;
    }

    /**
     * {@code memcg_slab_free_hook} for one object: the charge goes back to the objcg in its slot
     * (the allocating cgroup's, or its heir's after rmdir), whichever task frees it.
     */
    public void freeHook(Cpu cpu, MemcgSlabCache s, Page page, long address) {
        if (!objcgVectors || !key.isEnabled()) {
            return;
        }
        ObjCgroupVector vector = vector(cpu, page);
        if (vector == null) {
            return;
        }
        int off = s.objToIndex(page, address);
        ObjCgroup objcg = vector.get(off);
        if (objcg == null) {
            return;
        }
        vector.set(off, null);
        int size = s.objFullSize();
        if (cachesVmstats) {
            objcgs.unchargeAccount(cpu, objcg, size, vmstatItem(s));
        } else {
            objcgs.uncharge(cpu, objcg, size);
            objcg.memcg().stats().mod(cpu, vmstatItem(s), -size);
        }
        objcg.put(cpu);
    }

    /**
     * {@code memcg_free_page_obj_cgroups}, from {@code unaccount_slab_page} when a slab page is
     * freed with kmem accounting on.
     */
    public void freeSlabPage(Page page) {
        if (objcgVectors && key.isEnabled()) {
            vectors.memcgFreePageObjCgroups(page, checkedReader);
        }
    }

    /** The page's vector through the era's reader, on {@code cpu}, the caller's. */
    private ObjCgroupVector vector(Cpu cpu, Page page) {
        return checkedReader ? vectors.pageObjcgs(cpu, page) : vectors.pageObjCgroups(cpu, page);
    }

    /** {@code cache_vmstat_idx}. */
    static MemcgStatItem vmstatItem(MemcgSlabCache s) {
        return s.reclaimable() ? MemcgStatItem.NR_SLAB_RECLAIMABLE_B : MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B;
    }
}
