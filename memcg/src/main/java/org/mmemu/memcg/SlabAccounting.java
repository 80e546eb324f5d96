package org.mmemu.memcg;

import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_DMA;
import static org.mmemu.core.page.Gfp.__GFP_NOFAIL;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;

/**
 * How slab objects are charged to memory cgroups, one value per design the kernel has had, so
 * that memcg's slab hooks ({@link MemcgSlabHooks}) and the slab module agree on it. A policy
 * kind: select one with {@code policyBinder(binder, SlabAccounting.class).select(name)}.
 *
 * <pre>
 *  name                     era         objects charged                   vector reader   charge fails
 *  slabacct.CgroupCaches    4.7-5.8     per-cgroup cache clones, their    -               -
 *                                       slab pages whole (memcg_kmem_charge)
 *  slabacct.Objcg59         5.9         bytes to get_obj_cgroup_from_      page_obj_cgroups  allocation goes
 *                                       current(), before the allocation                    on, unaccounted
 *  slabacct.Objcg510        5.10        same                               page_obj_cgroups  allocation fails
 *  slabacct.Objcg511        5.11        same                               page_objcgs       allocation fails
 *                                                                          (checked)
 *  slabacct.ObjcgLatest     6.x         bytes to current_obj_cgroup(),     checked           allocation fails
 *                                       after the allocation                                 (object freed)
 *
 * From 5.14 (so only in ObjcgLatest here) the slab statistics wait in the per-CPU obj stock
 * until they exceed a page or the stock is drained or changes objcg.
 * </pre>
 */
public enum SlabAccounting {
    /** ≤ 5.8: {@code memcg_kmem_get_cache} clones; the objcg hooks do nothing. */
    CGROUP_CACHES("slabacct.CgroupCaches"),
    /** 5.9 (mm/slab.h, mm/memcontrol.c of 5.9.1). */
    OBJCG_5_9("slabacct.Objcg59"),
    /** 5.10 (5.10.7). */
    OBJCG_5_10("slabacct.Objcg510"),
    /** 5.11: memcg_data with checked accessors. */
    OBJCG_5_11("slabacct.Objcg511"),
    /** 6.x ({@code __memcg_slab_post_alloc_hook} of 6.13.7). */
    OBJCG_LATEST("slabacct.ObjcgLatest");

    private final String policyName;

    SlabAccounting(String policyName) {
        this.policyName = policyName;
    }

    /** The dotted policy name. */
    public String policyName() {
        return policyName;
    }

    /** Whether objects carry obj_cgroups in a vector on their slab page (5.9 on). */
    public boolean objcgVectors() {
        return this != CGROUP_CACHES;
    }

    /**
     * Whether the vector is read through the checked {@code page_objcgs} (5.11 on: a
     * {@code KernelBug} when memcg_data is not a vector) rather than {@code page_obj_cgroups}.
     */
    public boolean checkedReader() {
        return this == OBJCG_5_11 || this == OBJCG_LATEST;
    }

    /** Whether a failed byte charge fails the allocation (5.10 on); 5.9 allocates unaccounted. */
    public boolean chargeFailureFails() {
        return this != OBJCG_5_9;
    }

    /**
     * Whether {@code mod_objcg_state} caches the slab statistics in the per-CPU obj stock
     * (from 5.14, "mm/memcg: cache vmstat data in percpu memcg_stock_pcp") rather than writing
     * the memcg's counters at once.
     */
    public boolean cachesVmstats() {
        return this == OBJCG_LATEST;
    }

    /**
     * The gfp bits cleared for the vector's own allocation ({@code OBJCGS_CLEAR_MASK}): the
     * vector is never accounted itself, and in 6.x ({@code alloc_slab_obj_exts}, 6.13.7) it
     * neither comes from a dma or reclaimable kmalloc cache nor inherits {@code __GFP_NOFAIL};
     * 5.9 to 5.11 clear {@code __GFP_ACCOUNT} only.
     */
    public int vectorGfpClearMask() {
        return this == OBJCG_LATEST ? __GFP_DMA | __GFP_RECLAIMABLE | __GFP_ACCOUNT | __GFP_NOFAIL : __GFP_ACCOUNT;
    }

    /** Whether the objects are charged after they were allocated, to the cached current objcg. */
    public boolean chargesAfterAlloc() {
        return this == OBJCG_LATEST;
    }
}
