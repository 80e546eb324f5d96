package org.mmemu.slab;

import static org.mmemu.core.page.Gfp.GFP_CONSTRAINT_MASK;
import static org.mmemu.core.page.Gfp.GFP_RECLAIM_MASK;

import com.google.inject.Inject;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.Zone;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypes;

/**
 * Slab pages and the words SLUB keeps in them (mm/slub.c {@code allocate_slab},
 * {@code new_slab}, {@code discard_slab}, {@code set_freepointer}, {@code get_freepointer}):
 *
 * <pre>
 *  word                        holds
 *  --------------------------  ----------------------------------------------------------------
 *  page->slab_cache (mapping)  the cache's emulated address
 *  freelist (lru.prev)         the first free object, as its byte offset in the slab; NIL_LINK
 *                              for NULL (the emulated page has no index word, the kernel's place)
 *  lru.next                    the partial list's link ({@link KmemCacheNode})
 *  counters                    inuse / objects / frozen, in the era's word ({@link SlabPageLayout})
 *  each free object            the next free object's address (0 = NULL), a 64-bit word at
 *                              s->offset in the object's own bytes
 * </pre>
 *
 * Slab pages come from the page allocator with the caller's gfp cut to {@code GFP_RECLAIM_MASK |
 * GFP_CONSTRAINT_MASK}, as {@code new_slab} cuts it: {@code __GFP_ACCOUNT} and {@code __GFP_ZERO}
 * never reach the page allocator, so a slab page is never charged as a kmem page.
 */
final class SlabPages {
    private static final int PAGE_MASK = MemMap.PAGE_SIZE - 1;

    private final PageAllocator allocator;
    private final PageTypes types;
    private final SlabPageLayout layout;
    private final PhysicalMemory ram;
    private final SlabAccounting accounting;

    @Inject
    SlabPages(PageAllocator allocator, PageTypes types, SlabPageLayout layout, PhysicalMemory ram,
              SlabAccounting accounting) {
        this.allocator = allocator;
        this.types = types;
        this.layout = layout;
        this.ram = ram;
        this.accounting = accounting;
    }

    // ---- free pointers in the objects' bytes ---------------------------------------------

    /** {@code get_freepointer(s, object)}: the free object after {@code object}, or 0. */
    long getFreepointer(KmemCache s, long object) {
        long p = object + s.offset();
        return ram.readLong((p - MemMap.PAGE_OFFSET) >>> MemMap.PAGE_SHIFT, (int) p & PAGE_MASK);
    }

    /** {@code set_freepointer(s, object, fp)}. */
    void setFreepointer(KmemCache s, long object, long fp) {
        long p = object + s.offset();
        ram.writeLong((p - MemMap.PAGE_OFFSET) >>> MemMap.PAGE_SHIFT, (int) p & PAGE_MASK, fp);
    }

    /**
     * {@code memset(object, 0, s->object_size)} for {@code __GFP_ZERO}, frame by frame, without
     * the generic copies' per-call objects.
     */
    void zeroObject(KmemCache s, long object) {
        long a = object;
        for (int left = s.objectSize(); left > 0; ) {
            int offset = (int) a & PAGE_MASK;
            int n = Math.min(left, MemMap.PAGE_SIZE - offset);
            ram.memset((a - MemMap.PAGE_OFFSET) >>> MemMap.PAGE_SHIFT, offset, 0, n);
            a += n;
            left -= n;
        }
    }

    // ---- the slab page's words -----------------------------------------------------------

    /** {@code page->freelist}: the slab's first free object, or 0. */
    static long freelist(Page slab) {
        int offset = slab.lruPrev();
        return offset == Page.NIL_LINK ? 0 : MemMap.pageAddress(slab) + offset;
    }

    /** {@code page->freelist = object}. */
    static void setFreelist(Page slab, long object) {
        slab.setLruPrev(object == 0 ? Page.NIL_LINK : (int) (object - MemMap.pageAddress(slab)));
    }

    /** {@code page->counters}. */
    int counters(Page slab) {
        return layout.counters(slab);
    }

    /** {@code page->inuse = inuse; page->frozen = frozen}, objects unchanged. */
    void setCounters(Page slab, int inuse, boolean frozen) {
        layout.setCounters(slab, MapcountWord.slubCounters(inuse, MapcountWord.slubObjects(counters(slab)), frozen));
    }

    /** {@link Zone#buddyOrderUnsafe}: the order of the free block {@code page} heads, or -1. */
    int buddyOrder(Page page) {
        return Zone.buddyOrderUnsafe(page, types);
    }

    /** {@code PageSlab(page)} of a head page. */
    boolean isSlab(Page page) {
        return layout.isSlab(page, types);
    }

    // ---- allocate_slab / discard_slab ----------------------------------------------------

    /**
     * {@code new_slab}: a slab of {@code s} with every object on its free list, frozen and fully
     * in use as {@code allocate_slab} leaves it (the caller takes the free list); null if the
     * page allocator (or the accounting) refused.
     */
    Page newSlab(KmemCache s, int gfp) {
        Page page = allocator.allocPages((gfp & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK)) | s.allocflags, s.order());
        if (page == null) {
            return null;
        }
        if (accounting.enabled() && !accounting.chargeSlabPage(s, page, gfp)) {
            allocator.freePages(page, s.order());
            return null;
        }
        page.setMapping(s.address());
        layout.setSlab(page, types);
        int objects = s.objects();
        layout.setCounters(page, MapcountWord.slubCounters(objects, objects, true));
        long start = MemMap.pageAddress(page);
        int size = s.size();
        for (int i = 0; i < objects; i++) {
            long object = start + (long) i * size;
            setFreepointer(s, object, i + 1 < objects ? object + size : 0);
        }
        setFreelist(page, start);
        return page;
    }

    /** {@code discard_slab}: the slab's pages go back to the page allocator. */
    void discardSlab(KmemCache s, Page slab) {
        if (accounting.enabled()) {
            accounting.unchargeSlabPage(s, slab);
        }
        layout.clearSlab(slab, types);
        slab.setMapping(0);
        slab.setLruPrev(Page.NIL_LINK);
        slab.setLruNext(Page.NIL_LINK);
        allocator.freePages(slab, s.order());
    }
}
