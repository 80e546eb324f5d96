package org.mmemu.slab;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.MemcgSlabHooks;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.kmem.KmemStaticKey;

/**
 * Slab accounting of the obj_cgroup design, 5.9 and later (mm/slab.h {@code slab_pre_alloc_hook},
 * {@code slab_post_alloc_hook}, {@code memcg_slab_free_hook}, {@code unaccount_slab_page};
 * mm/slub.c {@code slab_alloc_node}, {@code slab_free}): each object of a {@code SLAB_ACCOUNT}
 * cache or of an {@code __GFP_ACCOUNT} allocation is charged its {@code obj_full_size} through
 * memcg's {@link MemcgSlabHooks}, which follow the era's design (when the charge is taken, what a
 * failed one does, which vector reader).
 *
 * <p>Up to 5.11 the hooks' out parameters are one-slot arrays per CPU, so an accounted
 * allocation or free allocates nothing. Slab calls the allocation hooks only for an accounted
 * allocation ({@link KmemCache#accounts}), which also keeps the obj_cgroup vector's own
 * kmalloc, unaccounted and made inside the post hook, from touching the slots in use. The
 * latest era's post hook takes its one object and slab page as arguments and needs no slot.
 */
final class ObjcgSlabAccounting implements SlabAccounting {
    private final MemcgSlabHooks hooks;
    private final KmemStaticKey key;
    /** The latest era's design: the pre hook does nothing, the post hook charges. */
    private final boolean chargesAfterAlloc;
    /** {@code objcgp}, the pre hook's out parameter, by CPU id. */
    private final ObjCgroup[][] objcgp;
    /** {@code p}, the objects the post hook stores, by CPU id. */
    private final long[][] objects;

    ObjcgSlabAccounting(MemcgSlabHooks hooks, KmemStaticKey key, Cpus cpus) {
        this.hooks = hooks;
        this.key = key;
        this.chargesAfterAlloc = hooks.design().chargesAfterAlloc();
        this.objcgp = new ObjCgroup[cpus.nrCpus()][1];
        this.objects = new long[cpus.nrCpus()][1];
    }

    @Override
    public boolean enabled() {
        return key.isEnabled();
    }

    @Override
    public KmemCache getCache(Cpu cpu, KmemCache s, int gfp) {
        return s;
    }

    @Override
    public long preAlloc(Cpu cpu, KmemCache s, int gfp) {
        if (chargesAfterAlloc) {
            return NO_OBJCG;
        }
        ObjCgroup[] slot = objcgp[cpu.id()];
        if (!hooks.preAllocHook(cpu, s, slot, 1, gfp)) {
            return CHARGE_FAILED;
        }
        return slot[0] == null ? NO_OBJCG : slot[0].address();
    }

    @Override
    public boolean postAlloc(Cpu cpu, KmemCache s, long objcg, int gfp, long object, Page slab) {
        if (chargesAfterAlloc) {
            // One object, nothing to pass in or out: no slot is taken.
            return hooks.postAllocHook(cpu, s, gfp, slab, object);
        }
        ObjCgroup[] slot = objcgp[cpu.id()];
        ObjCgroup charged = slot[0];
        slot[0] = null;
        long[] p = objects[cpu.id()];
        p[0] = object;
        boolean ok = hooks.postAllocHook(cpu, s, charged, gfp, 1, p);
        p[0] = 0;
        return ok;
    }

    @Override
    public void free(Cpu cpu, KmemCache s, Page slab, long object) {
        hooks.freeHook(cpu, s, slab, object);
    }

    /** {@code account_slab_page}: the page itself is not charged in this design. */
    @Override
    public boolean chargeSlabPage(KmemCache s, Page slab, int gfp) {
        return true;
    }

    /** {@code unaccount_slab_page}: the page's obj_cgroup vector goes with it. */
    @Override
    public void unchargeSlabPage(KmemCache s, Page slab) {
        hooks.freeSlabPage(slab);
    }
}
