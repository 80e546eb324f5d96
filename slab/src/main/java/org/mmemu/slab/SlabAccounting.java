package org.mmemu.slab;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;

/**
 * The calls slab makes into cgroup accounting, at the places mm/slab.h and mm/slub.c make them.
 * An implementation per era (slab's, calling memcg's public API: obj_cgroup vectors, the byte
 * charge, the pre-5.9 page charge; memcg sits below slab and cannot see this interface) is bound
 * through {@link SlabModule}'s {@code OptionalBinder}; the default {@link #NONE} accounts nothing. Slab calls none of the hooks unless {@link #enabled()}
 * (the {@code memcg_kmem_enabled()} static key), so with accounting off an allocation and a free
 * each pay one branch.
 *
 * <pre>
 *  hook                  kernel counterpart (5.9-5.11: obj_cgroups)     (4.x-5.8: cache clones)
 *  --------------------  ---------------------------------------------  -------------------------
 *  getCache              (returns s)                                    memcg_kmem_get_cache
 *  preAlloc              memcg_slab_pre_alloc_hook (obj_cgroup_charge)  (returns NO_OBJCG)
 *  postAlloc             memcg_slab_post_alloc_hook (vector, stats)     memcg_kmem_put_cache
 *  free                  memcg_slab_free_hook                           (nothing)
 *  chargeSlabPage        account_slab_page                              memcg_charge_slab
 *  unchargeSlabPage      unaccount_slab_page                            memcg_uncharge_slab
 * </pre>
 *
 * Slab calls the allocation hooks ({@code getCache}, {@code preAlloc}, {@code postAlloc}) only
 * for an allocation its cache {@link KmemCache#accounts accounts}, without which each era's
 * hooks do nothing; the free hook runs for every object, as {@code memcg_slab_free_hook} does.
 * The hooks of the allocation and the free take the calling thread's {@link Cpu}, which slab
 * looks up once per call, as the kernel reads its CPU once with preemption off.
 */
public interface SlabAccounting {
    /** {@link #preAlloc}'s answer for an allocation nobody is charged for. */
    long NO_OBJCG = 0;
    /** {@link #preAlloc}'s answer when the charge failed: the allocation fails too. */
    long CHARGE_FAILED = -1;

    /** Accounting that accounts nothing: slab's default. */
    SlabAccounting NONE = new SlabAccounting() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public KmemCache getCache(Cpu cpu, KmemCache s, int gfp) {
            return s;
        }

        @Override
        public long preAlloc(Cpu cpu, KmemCache s, int gfp) {
            return NO_OBJCG;
        }

        @Override
        public boolean postAlloc(Cpu cpu, KmemCache s, long objcg, int gfp, long object, Page slab) {
            return true;
        }

        @Override
        public void free(Cpu cpu, KmemCache s, Page slab, long object) {
        }

        @Override
        public boolean chargeSlabPage(KmemCache s, Page slab, int gfp) {
            return true;
        }

        @Override
        public void unchargeSlabPage(KmemCache s, Page slab) {
        }
    };

    /** {@code memcg_kmem_enabled()}: whether slab must call the other hooks at all. */
    boolean enabled();

    /** The cache to allocate from: {@code s}, or (until 5.8) the current cgroup's clone of it. */
    KmemCache getCache(Cpu cpu, KmemCache s, int gfp);

    /**
     * Before the allocation: charges {@code s}'s object size to the current obj_cgroup and
     * returns its emulated address, {@link #NO_OBJCG} or {@link #CHARGE_FAILED}.
     */
    long preAlloc(Cpu cpu, KmemCache s, int gfp);

    /**
     * After the allocation of {@code object} (0 if it failed: uncharge) for {@code objcg},
     * {@link #preAlloc}'s answer: records the owner in the obj_cgroup vector of {@code slab},
     * the slab page the object was taken from (null when the allocation failed).
     *
     * @return false when the object must be freed again and the allocation fail (the latest
     *         era charges here, and a failed charge fails the allocation)
     */
    boolean postAlloc(Cpu cpu, KmemCache s, long objcg, int gfp, long object, Page slab);

    /** Before {@code object} of slab page {@code slab} is freed: uncharges its owner. */
    void free(Cpu cpu, KmemCache s, Page slab, long object);

    /** A new slab page of {@code s}: charges or accounts it; false fails the allocation. */
    boolean chargeSlabPage(KmemCache s, Page slab, int gfp);

    /** A slab page of {@code s} goes back to the page allocator. */
    void unchargeSlabPage(KmemCache s, Page slab);
}
