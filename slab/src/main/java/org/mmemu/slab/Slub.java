package org.mmemu.slab;

import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;

/**
 * The SLUB allocator (mm/slub.c {@code slab_alloc_node}, {@code ___slab_alloc},
 * {@code do_slab_free}, {@code __slab_free}, {@code deactivate_slab}, {@code flush_all}).
 *
 * <p>The fast paths touch only the calling CPU's {@link KmemCacheCpu}: an allocation pops the
 * CPU's free list (reading the next pointer out of the object's bytes), a free of an object of
 * the CPU's slab pushes onto it. They take no lock and allocate nothing. Everything else, under
 * the cache node's {@code list_lock}: refilling the CPU's list from what other CPUs freed to its
 * slab, taking a partial slab or a new one, and freeing to a slab that is not the CPU's (which
 * may move it onto or off the partial list, or free it). The kernel does the latter lockless
 * with {@code cmpxchg_double} on freelist and counters; the lock gives the same outcomes.
 *
 * <p>Debug caches ({@code SLAB_CONSISTENCY_CHECKS}, {@code slub_debug=F}) never use a CPU slab:
 * each allocation takes one object from a partial slab and each free is checked first
 * ({@link SlubDebug}), as the kernel sends them down its slow paths.
 */
public final class Slub {
    private final Cpus cpus;
    private final MemMap memMap;
    private final SlabPages pages;
    private final SlubDebug debug;
    private final SlabAccounting accounting;
    private final KernelObjects objects;

    @Inject
    Slub(Cpus cpus, MemMap memMap, SlabPages pages, SlubDebug debug, SlabAccounting accounting,
         KernelObjects objects) {
        this.objects = objects;
        this.cpus = cpus;
        this.memMap = memMap;
        this.pages = pages;
        this.debug = debug;
        this.accounting = accounting;
    }

    // ---- allocation ----------------------------------------------------------------------

    /** {@code kmem_cache_alloc(s, gfp)}: an object's direct-map address, or 0. */
    public long kmemCacheAlloc(KmemCache s, int gfp) {
        Cpu cpu = cpus.current();
        if (accounting.enabled() && s.accounts(gfp)) {
            return accountedAlloc(cpu, s, gfp);
        }
        return slabAlloc(cpu, s, gfp);
    }

    /** {@code kmem_cache_zalloc}: an object reading as zeroes. */
    public long kmemCacheZalloc(KmemCache s, int gfp) {
        return kmemCacheAlloc(s, gfp | __GFP_ZERO);
    }

    /** {@code slab_pre_alloc_hook} ... {@code slab_post_alloc_hook} around the allocation. */
    private long accountedAlloc(Cpu cpu, KmemCache s, int gfp) {
        KmemCache cache = accounting.getCache(cpu, s, gfp);
        long objcg = accounting.preAlloc(cpu, cache, gfp);
        if (objcg == SlabAccounting.CHARGE_FAILED) {
            return 0;
        }
        long object = slabAlloc(cpu, cache, gfp);
        Page slab = object == 0 ? null : slabOf(cpu, cache, object);
        if (!accounting.postAlloc(cpu, cache, objcg, gfp, object, slab)) {
            // memcg_alloc_abort_single
            slabFree(cpu, cache, slab, object);
            return 0;
        }
        return object;
    }

    /**
     * {@code virt_to_slab(object)} of an object {@link #slabAlloc} just returned on {@code cpu}:
     * the CPU's slab, which every object on its free list belongs to, except for a debug cache,
     * which has none.
     */
    private Page slabOf(Cpu cpu, KmemCache s, long object) {
        if (s.debug()) {
            return virtToHeadPage(object);
        }
        Page slab = s.cpuSlab[cpu.id()].page;
        assert slab == virtToHeadPage(object) : "object 0x" + Long.toHexString(object) + " is not on the CPU slab";
        return slab;
    }

    /** {@code slab_alloc_node} on {@code cpu}, the caller's: the per-CPU fast path, else {@code ___slab_alloc}. */
    private long slabAlloc(Cpu cpu, KmemCache s, int gfp) {
        KmemCacheCpu c = s.cpuSlab[cpu.id()];
        long object = c.freelist;
        if (object != 0) {
            c.freelist = pages.getFreepointer(s, object);
        } else {
            object = s.debug() ? debugAlloc(s, gfp) : slowAlloc(s, gfp, c);
        }
        if ((gfp & __GFP_ZERO) != 0 && object != 0) {
            pages.zeroObject(s, object);
        }
        return object;
    }

    /** {@code ___slab_alloc}: the CPU's free list is empty. */
    private long slowAlloc(KmemCache s, int gfp, KmemCacheCpu c) {
        KmemCacheNode n = s.node;
        Page page = c.page;
        long freelist = 0;
        synchronized (n) {
            if (page != null) {
                // get_freelist: take what other CPUs freed to this CPU's slab, or unfreeze it
                // (full, it goes on no list).
                freelist = SlabPages.freelist(page);
                SlabPages.setFreelist(page, 0);
                pages.setCounters(page, s.objects(), freelist != 0);
                if (freelist == 0) {
                    // DEACTIVATE_BYPASS: no longer the CPU's, before new_slab reaches a
                    // schedule point where a flush of this CPU's slab may run.
                    c.page = null;
                    page = null;
                }
            }
            if (page == null) {
                // get_partial_node
                page = n.first();
                if (page != null) {
                    n.remove(page);
                    freelist = takeFreelist(s, page);
                }
            }
        }
        if (page == null) {
            page = pages.newSlab(s, gfp);
            if (page == null) {
                c.page = null;
                return 0;
            }
            synchronized (n) {
                n.incSlabs();
            }
            freelist = takeFreelist(s, page);
        }
        c.page = page;
        c.freelist = pages.getFreepointer(s, freelist);
        return freelist;
    }

    /** Freezes {@code page} for a CPU: its whole free list goes to the CPU. */
    private long takeFreelist(KmemCache s, Page page) {
        long freelist = SlabPages.freelist(page);
        SlabPages.setFreelist(page, 0);
        pages.setCounters(page, s.objects(), true);
        return freelist;
    }

    /** A debug cache's allocation: one object off the first partial slab (or a new one). */
    private long debugAlloc(KmemCache s, int gfp) {
        KmemCacheNode n = s.node;
        synchronized (n) {
            if (n.first() != null) {
                return takeOne(s, n, n.first());
            }
        }
        Page fresh = pages.newSlab(s, gfp);
        if (fresh == null) {
            return 0;
        }
        synchronized (n) {
            n.incSlabs();
            pages.setCounters(fresh, 0, false);
            n.addHead(fresh);
            return takeOne(s, n, fresh);
        }
    }

    private long takeOne(KmemCache s, KmemCacheNode n, Page page) {
        long object = SlabPages.freelist(page);
        long next = pages.getFreepointer(s, object);
        SlabPages.setFreelist(page, next);
        pages.setCounters(page, MapcountWord.slubInuse(pages.counters(page)) + 1, false);
        if (next == 0) {
            n.remove(page);
        }
        return object;
    }

    // ---- free ----------------------------------------------------------------------------

    /**
     * {@code kmem_cache_free(s, x)}. With accounting or debugging on, {@code cache_from_obj}
     * first: an object of another cache is freed to its own, with a warning; an address on no
     * slab page is not freed at all.
     */
    public void kmemCacheFree(KmemCache s, long x) {
        Page page = virtToHeadPage(x);
        if (accounting.enabled() || s.debug()) {
            freeChecked(s, page, x, "kmem_cache_free");
            return;
        }
        slabFree(cpus.current(), s, page, x);
    }

    /** {@code kfree}'s path for an object of slab page {@code page}. */
    void kfree(Page page, long x, KmemCache s) {
        Cpu cpu = cpus.current();
        if (accounting.enabled()) {
            accounting.free(cpu, s, page, x);
        }
        slabFree(cpu, s, page, x);
    }

    private void freeChecked(KmemCache s, Page page, long x, String caller) {
        if (!pages.isSlab(page)) {
            debug.notASlabPage(caller);
            return;
        }
        KmemCache owner = cacheOf(page);
        // slab_equal_or_root: an object of a clone freed to its root cache is no mistake.
        if (owner != s && owner.rootCache() != s) {
            debug.wrongCache(caller, s, owner);
        }
        kfree(page, x, owner);
    }

    /**
     * {@code do_slab_free} on {@code cpu}, the caller's: onto the CPU's list if it is the CPU's
     * slab, else {@code __slab_free}.
     */
    private void slabFree(Cpu cpu, KmemCache s, Page page, long x) {
        KmemCacheCpu c = s.cpuSlab[cpu.id()];
        if (page == c.page) {
            pages.setFreepointer(s, x, c.freelist);
            c.freelist = x;
            return;
        }
        slowFree(s, page, x);
    }

    /** {@code __slab_free}: back onto the slab's own list, under the node's lock. */
    private void slowFree(KmemCache s, Page page, long x) {
        KmemCacheNode n = s.node;
        boolean discard;
        synchronized (n) {
            if (!pages.isSlab(page)) {
                debug.notASlabPage("kfree");
                return;
            }
            if (s.debug() && !debug.freeDebugProcessing(s, page, x)) {
                return;
            }
            long prior = SlabPages.freelist(page);
            int counters = pages.counters(page);
            int inuse = MapcountWord.slubInuse(counters) - 1;
            boolean frozen = MapcountWord.slubFrozen(counters);
            pages.setFreepointer(s, x, prior);
            SlabPages.setFreelist(page, x);
            pages.setCounters(page, inuse, frozen);
            if (frozen) {
                return;
            }
            discard = inuse == 0 && n.nrPartial() >= s.minPartial();
            if (discard) {
                if (prior != 0) {
                    n.remove(page);
                }
                n.decSlabs();
            } else if (prior == 0) {
                n.addTail(page);
            }
        }
        if (discard) {
            pages.discardSlab(s, page);
        }
    }

    // ---- flushing ------------------------------------------------------------------------

    /**
     * {@code flush_all}: every CPU's slab of {@code s} is deactivated, each on its own CPU
     * ({@code on_each_cpu_cond(has_cpu_slab, flush_cpu_slab)}, 4.6.2), as only a CPU may touch
     * its slab: the fast paths take no lock. The kernel sends an IPI and waits; here it is
     * per-CPU work ({@link Cpus#scheduleWorkOn}), done at once for the caller's CPU and for any
     * CPU no live thread owns, and by a running CPU at its next schedule point, which keeps the
     * slab until then, and may free to it, as it may until the IPI arrives.
     */
    void flushAll(KmemCache s) {
        for (int i = 0; i < s.cpuSlab.length; i++) {
            KmemCacheCpu c = s.cpuSlab[i];
            // has_cpu_slab: a look at another CPU's slab, racy as the kernel's.
            if (c.page != null) {
                cpus.scheduleWorkOn(cpus.cpu(i), () -> flushSlab(s, c));
            }
        }
    }

    /** {@code flush_slab}, on the CPU whose slab {@code c} is: it leaves the CPU, then is deactivated. */
    private void flushSlab(KmemCache s, KmemCacheCpu c) {
        Page page = c.page;
        if (page == null) {
            return;
        }
        long freelist = c.freelist;
        // Cleared first: the discard's uncharge is a schedule point, where more work may run.
        c.page = null;
        c.freelist = 0;
        deactivateSlab(s, page, freelist);
    }

    /** {@code deactivate_slab}: the CPU's free objects go back to the slab, which is unfrozen. */
    private void deactivateSlab(KmemCache s, Page page, long cpuFreelist) {
        KmemCacheNode n = s.node;
        boolean discard;
        synchronized (n) {
            long freelist = SlabPages.freelist(page);
            int inuse = MapcountWord.slubInuse(pages.counters(page));
            for (long object = cpuFreelist; object != 0; ) {
                long next = pages.getFreepointer(s, object);
                pages.setFreepointer(s, object, freelist);
                freelist = object;
                inuse--;
                object = next;
            }
            SlabPages.setFreelist(page, freelist);
            pages.setCounters(page, inuse, false);
            discard = inuse == 0 && n.nrPartial() >= s.minPartial();
            if (discard) {
                n.decSlabs();
            } else if (freelist != 0) {
                n.addTail(page);
            }
        }
        if (discard) {
            pages.discardSlab(s, page);
        }
    }

    // ---- lookups -------------------------------------------------------------------------

    /** {@code virt_to_head_page}. */
    Page virtToHeadPage(long x) {
        return CompoundHead.compoundHead(memMap, memMap.virtToPage(x));
    }

    /** {@code page->slab_cache} of a slab page. */
    KmemCache cacheOf(Page slab) {
        return objects.resolve(slab.mapping(), KmemCache.class);
    }
}
