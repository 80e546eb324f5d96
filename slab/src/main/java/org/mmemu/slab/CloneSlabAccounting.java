package org.mmemu.slab;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.CurrentMemcg;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgSlabPages;
import org.mmemu.memcg.kmem.KmemStaticKey;

/**
 * Slab accounting of the per-cgroup cache clones, 4.x to 5.8 (mm/slab.h
 * {@code slab_pre_alloc_hook}, {@code slab_post_alloc_hook}, {@code memcg_charge_slab},
 * {@code memcg_uncharge_slab}; mm/memcontrol.c {@code memcg_kmem_get_cache},
 * {@code memcg_kmem_put_cache}; 4.8.15 and 4.18): an allocation from a {@code SLAB_ACCOUNT}
 * cache or with {@code __GFP_ACCOUNT} is served by the current cgroup's clone of the cache, found
 * by the cgroup's kmemcg id; objects are not charged one by one, the clone's slab pages are
 * charged whole to the clone's cgroup ({@link MemcgSlabPages}), whoever allocates or frees in
 * them. A cgroup without a clone yet has it created by work ({@link MemcgCaches}) and
 * allocates meanwhile from the root cache, uncharged, as the kernel did. Kernel threads, tasks
 * without an mm and the root cgroup (kmemcg id -1) always use the root cache.
 */
final class CloneSlabAccounting implements SlabAccounting {
    private final KmemStaticKey key;
    private final CurrentMemcg current;
    private final MemcgSlabPages pages;
    private final MemcgCaches clones;
    private final Cpus cpus;

    CloneSlabAccounting(KmemStaticKey key, CurrentMemcg current, MemcgSlabPages pages, MemcgCaches clones,
                        Cpus cpus) {
        this.key = key;
        this.current = current;
        this.pages = pages;
        this.clones = clones;
        this.cpus = cpus;
    }

    @Override
    public boolean enabled() {
        return key.isEnabled();
    }

    /**
     * {@code memcg_kmem_get_cache}: the current cgroup's clone of {@code s}, holding a css
     * reference until {@link #postAlloc}; or {@code s}, with the clone's creation queued if the
     * cgroup has none yet.
     */
    @Override
    public KmemCache getCache(Cpu cpu, KmemCache s, int gfp) {
        // Only root caches have clones (the kernel's VM_BUG_ON(!is_root_cache(cachep))).
        if (!s.isRootCache()) {
            return s;
        }
        MemCgroup memcg = current.getMemCgroupFromCurrent(cpu);
        if (memcg == null) {
            return s; // memcg_kmem_bypass
        }
        int idx = memcg.kmemcgId();
        if (idx >= 0) {
            KmemCache clone = s.cacheFromMemcgIdx(idx);
            if (clone != null) {
                return clone;
            }
            clones.scheduleCreate(cpu, memcg, s);
        }
        memcg.cssPut(cpu, 1);
        return s;
    }

    /** Objects are not charged in this design. */
    @Override
    public long preAlloc(Cpu cpu, KmemCache s, int gfp) {
        return NO_OBJCG;
    }

    /** {@code memcg_kmem_put_cache}: the reference {@link #getCache} took on a clone's cgroup. */
    @Override
    public boolean postAlloc(Cpu cpu, KmemCache s, long objcg, int gfp, long object, Page slab) {
        if (!s.isRootCache()) {
            s.memcg().cssPut(cpu, 1);
        }
        return true;
    }

    /** The object's page stays charged: it goes back to its clone ({@code cache_from_obj}). */
    @Override
    public void free(Cpu cpu, KmemCache s, Page slab, long object) {
    }

    /** {@code memcg_charge_slab}: a clone's new slab page, charged whole to the clone's cgroup. */
    @Override
    public boolean chargeSlabPage(KmemCache s, Page slab, int gfp) {
        return s.isRootCache() || pages.memcgChargeSlab(cpus.current(), slab, gfp, s.order(), s, s.memcg()) == 0;
    }

    /** {@code memcg_uncharge_slab}: the page's charge goes back to its cgroup, dying or not. */
    @Override
    public void unchargeSlabPage(KmemCache s, Page slab) {
        if (!s.isRootCache()) {
            pages.memcgUnchargeSlab(cpus.current(), slab, s.order(), s);
        }
    }
}
