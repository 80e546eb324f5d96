package org.mmemu.slab;

import static org.mmemu.core.page.Gfp.GFP_DMA;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.check.PageOwner;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.MemCgroup;

/**
 * The list of slab caches and their life cycle (mm/slab_common.c {@code kmem_cache_create},
 * {@code kmem_cache_destroy}, {@code shutdown_cache}, {@code shutdown_memcg_caches}, up to 5.8
 * with the clones of {@link MemcgCaches}; mm/slub.c {@code kmem_cache_open},
 * {@code calculate_sizes}, {@code __kmem_cache_shutdown}, {@code free_partial},
 * {@code list_slab_objects}). As the holder of every slab page it is a {@link PageOwner}: it
 * finds its pages in the mem_map by their slab mark, as SLUB itself lists no full slab.
 */
public final class SlabCaches implements PageOwner {
    /** {@code cache_line_size()} on x86-64. */
    private static final int CACHE_LINE = 64;
    /** {@code KMALLOC_MAX_SIZE}: the largest kmalloc, an order-10 block. */
    private static final int KMALLOC_MAX_SIZE = MemMap.PAGE_SIZE << 10;

    private final Slub slub;
    private final SlabPages pages;
    private final SlubDebug debug;
    private final KernelObjects objects;
    private final KernelLog log;
    private final MemMap memMap;
    private final SlabOrder slabOrder;
    private final FreePointerOffset freePointer;
    private final SlabConfig config;
    private final int nrCpus;
    private final Provider<MemcgCaches> clones;
    /** {@code slab_caches}; changed under {@code slab_mutex} (this object's monitor). */
    private final List<KmemCache> caches = new CopyOnWriteArrayList<>();

    @Inject
    @SuppressWarnings("checkstyle:ParameterNumber")
    SlabCaches(Slub slub, SlabPages pages, SlubDebug debug, KernelObjects objects, KernelLog log, MemMap memMap,
               SlabOrder slabOrder, FreePointerOffset freePointer, SlabConfig config, Cpus cpus,
               Provider<MemcgCaches> clones) {
        this.slub = slub;
        this.pages = pages;
        this.debug = debug;
        this.objects = objects;
        this.log = log;
        this.memMap = memMap;
        this.slabOrder = slabOrder;
        this.freePointer = freePointer;
        this.config = config;
        this.nrCpus = cpus.nrCpus();
        this.clones = clones;
    }

    /**
     * {@code kmem_cache_create(name, size, align, flags, NULL)}: a cache, or null for a size no
     * slab can hold (a warning in the log; a panic, thrown as {@link KernelBug}, with
     * {@link SlabFlags#SLAB_PANIC}).
     */
    public synchronized KmemCache kmemCacheCreate(String name, int size, int align, int flags) {
        KmemCache s = size < Long.BYTES || size > KMALLOC_MAX_SIZE ? null : open(name, size, align, flags);
        if (s == null) {
            int err = Errno.EINVAL.negative();
            if ((flags & SlabFlags.SLAB_PANIC) != 0) {
                throw new KernelBug(String.format(Locale.ROOT,
                        "Kernel panic - not syncing: kmem_cache_create: Failed to create slab '%s'. Error %d",
                        name, err));
            }
            log.printk(String.format(Locale.ROOT, "kmem_cache_create(%s) failed with error %d", name, err));
            return null;
        }
        return link(s);
    }

    /**
     * {@code create_cache} of {@code memcg_create_kmem_cache}: {@code memcg}'s clone of
     * {@code root}, called {@code name}, with the root's layout; the caller holds
     * {@code slab_mutex} (this object's monitor).
     */
    KmemCache createClone(String name, KmemCache root, MemCgroup memcg) {
        KmemCache s = open(name, root.objectSize(), root.align(), root.flags());
        s.setMemcgParams(root, memcg);
        return link(s);
    }

    /** Gives {@code s} its address and puts it on {@code slab_caches}. */
    private KmemCache link(KmemCache s) {
        s.setAddress(objects.register(s));
        caches.add(s);
        return s;
    }

    /** {@code kmem_cache_open} with {@code calculate_sizes}; null if no order fits. */
    private KmemCache open(String name, int objectSize, int align, int flags) {
        int f = flags | (config.slubDebug() ? SlabFlags.SLAB_CONSISTENCY_CHECKS : 0);
        int size = alignUp(objectSize, Long.BYTES);
        int offset = freePointer.offset(size);
        int a = calculateAlignment(f, align, objectSize);
        size = alignUp(size, a);
        int order = slabOrder.calculateOrder(size, nrCpus);
        if (order < 0) {
            return null;
        }
        int allocflags = (order > 0 ? __GFP_COMP : 0) | ((f & SlabFlags.SLAB_RECLAIM_ACCOUNT) != 0 ? __GFP_RECLAIMABLE : 0)
                | ((f & SlabFlags.SLAB_CACHE_DMA) != 0 ? GFP_DMA : 0);
        return new KmemCache(name, objectSize, size, a, offset, order, f, allocflags, nrCpus, memMap);
    }

    /** {@code calculate_alignment}: a cache line (halved while the object fits twice) if asked. */
    private static int calculateAlignment(int flags, int align, int size) {
        int a = align;
        if ((flags & SlabFlags.SLAB_HWCACHE_ALIGN) != 0) {
            int ralign = CACHE_LINE;
            while (size <= ralign / 2) {
                ralign /= 2;
            }
            a = Math.max(a, ralign);
        }
        return alignUp(Math.max(a, Long.BYTES), Long.BYTES);
    }

    private static int alignUp(int x, int a) {
        return (x + a - 1) & -a;
    }

    /**
     * {@code kmem_cache_destroy}: the last reference flushes the CPU slabs and frees the empty
     * slabs. Objects still allocated keep the cache and its slabs: each partial slab holding some
     * is reported ("Objects remaining in ... on __kmem_cache_shutdown()", with the objects), then
     * "Slab cache still has objects". A running CPU's slab of the cache is flushed only at that
     * CPU's next schedule point ({@link Slub#flushAll}), so none may hold one then. In
     * 4.18 the clones' deferred deactivations are waited out first, outside {@code slab_mutex}
     * ({@link MemcgCaches#flushMemcgWorkqueue}).
     */
    public void kmemCacheDestroy(KmemCache s) {
        if (s == null) {
            return;
        }
        clones.get().flushMemcgWorkqueue(s);
        synchronized (this) {
            if (--s.refcount > 0) {
                return;
            }
            if (!shutdownMemcgCaches(s) || !shutdownCache(s)) {
                debug.stillHasObjects(s);
            }
        }
    }

    /**
     * {@code shutdown_memcg_caches}: the root cache's clones are shut down, the active ones
     * (leaving the array when empty) then the dying ones, each reporting its remaining
     * objects; true if none is left.
     */
    private boolean shutdownMemcgCaches(KmemCache root) {
        List<KmemCache> active = new ArrayList<>();
        AtomicReferenceArray<KmemCache> arr = root.memcgCaches;
        for (int i = 0; i < arr.length(); i++) {
            KmemCache c = arr.get(i);
            if (c != null) {
                active.add(c);
                if (shutdownCache(c)) {
                    arr.set(i, null);
                }
            }
        }
        for (KmemCache c : root.children) {
            if (!active.contains(c)) {
                shutdownCache(c);
            }
        }
        return root.children.isEmpty();
    }

    /**
     * {@code shutdown_cache}: flushes the CPU slabs and frees the empty slabs; a cache left with
     * none leaves {@code slab_caches} (and its root's clones). False, with the remaining
     * objects reported, if some are still allocated. The caller holds {@code slab_mutex}.
     */
    boolean shutdownCache(KmemCache s) {
        slub.flushAll(s);
        if (!freePartial(s, true)) {
            return false;
        }
        caches.remove(s);
        s.rootCache().children.remove(s);
        objects.free(s.address());
        return true;
    }

    /**
     * {@code __kmem_cache_shrink}: the CPU slabs are flushed, each on its CPU (a running one's
     * later, {@link Slub#flushAll}), and the empty slabs go back to the page allocator. The
     * caller holds {@code slab_mutex}.
     */
    void kmemCacheShrink(KmemCache s) {
        slub.flushAll(s);
        freePartial(s, false);
    }

    /**
     * {@code free_partial} then {@code __kmem_cache_empty}: the empty partial slabs are freed,
     * the others' objects reported if {@code report}; true if the cache has no slab left.
     */
    private boolean freePartial(KmemCache s, boolean report) {
        KmemCacheNode n = s.node;
        synchronized (n) {
            for (Page page = n.first(); page != null; ) {
                Page next = n.next(page);
                if (MapcountWord.slubInuse(pages.counters(page)) == 0) {
                    n.remove(page);
                    n.decSlabs();
                    pages.discardSlab(s, page);
                } else if (report) {
                    listSlabObjects(s, page);
                }
                page = next;
            }
            return n.nrPartial() == 0 && n.nrSlabs() == 0;
        }
    }

    /** {@code list_slab_objects}: the report and every object not on the slab's free list. */
    private void listSlabObjects(KmemCache s, Page page) {
        debug.slabErr(s, page, "Objects remaining in " + s.name() + " on __kmem_cache_shutdown()");
        BitSet free = new BitSet(s.objects());
        long base = MemMap.pageAddress(page);
        for (long fp = SlabPages.freelist(page); fp != 0 && free.cardinality() < s.objects();
                fp = pages.getFreepointer(s, fp)) {
            free.set((int) ((fp - base) / s.size()));
        }
        for (int i = free.nextClearBit(0); i < s.objects(); i = free.nextClearBit(i + 1)) {
            debug.remainingObject(page, base + (long) i * s.size());
        }
    }

    /** The live caches ({@code slab_caches}), oldest first. */
    public List<KmemCache> caches() {
        return List.copyOf(caches);
    }

    /** {@code page->slab_cache} of a slab page (a head page marked slab). */
    public KmemCache cacheOf(Page slab) {
        return slub.cacheOf(slab);
    }

    /** {@code PageSlab(page)} under the era's layout (a head page). */
    public boolean isSlab(Page page) {
        return pages.isSlab(page);
    }

    @Override
    public void markOwned(BitSet owned) {
        forEachSlab(page -> {
            int pfn = (int) page.pfn();
            owned.set(pfn, pfn + (1 << cacheOf(page).order()));
        });
    }

    /**
     * Every slab page of the machine, in pfn order, found by its slab mark in the initialised
     * part of the mem_map (SLUB lists no full slab): the walk the checks share. It steps over
     * free buddy blocks whole, as the kernel's pfn walkers do: a mostly free machine's walk
     * reads its few allocated pages, not every page of its sections.
     */
    void forEachSlab(Consumer<Page> action) {
        int nr = memMap.nrPages();
        for (int pfn = memMap.firstInitPfn(); pfn < nr; ) {
            Page page = memMap.page(pfn);
            int freeOrder = pages.buddyOrder(page);
            if (freeOrder >= 0) {
                pfn += 1 << freeOrder;
                continue;
            }
            if (pages.isSlab(page)) {
                action.accept(page);
            }
            pfn++;
        }
    }
}
