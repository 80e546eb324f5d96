package org.mmemu.core.alloc;

import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageList;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;

/**
 * A memory zone and its buddy free lists ({@code struct zone}, {@code free_area[MAX_ORDER]}).
 *
 * <p>A free block of {@code 2^order} pages is represented by its first page: typed
 * {@link PageType#BUDDY} in {@code _mapcount} and holding the order in {@code private}
 * ({@code set_buddy_order}); the other pages of the block stay untyped. Every method that
 * touches the free lists must be called with the zone locked ({@code synchronized (zone)}).
 *
 * <p>Merging follows {@code __free_one_page}: the buddy of the block at {@code pfn} is at
 * {@code pfn ^ (1 << order)}; the pair merges while the buddy is a free block of the same order
 * in this zone.
 *
 * <p>With a deferred mem_map ({@link MemMap#deferred}) the free lists hold only initialised
 * pages, as in the kernel: the sections below {@link MemMap#firstInitPfn()} have no pages yet
 * and are initialised and freed into the buddy as max-order blocks when an allocation finds the
 * lists empty ({@link #rmqueueSmallest}, {@code deferred_grow_zone}), so nothing is added to the
 * paths that find a block. Sections are initialised from the top of the zone down, the order in
 * which a fully initialised zone hands its boot blocks out (they were freed low to high, each at
 * the head of its list), so the same calls get the same pages either way. The free counts
 * ({@link #nrFree}, {@link #freePages}) count the deferred pages as the free max-order blocks
 * they will be, as the kernel's do once its {@code pgdatinit} threads have run (before user
 * space starts): every answer is a fully initialised zone's.
 */
public final class Zone {
    /** {@code MAX_ORDER}: orders 0..10, so the largest block is 4 MiB. */
    public static final int MAX_ORDER = 11;

    private final int id;
    private final String name;
    private final int startPfn;
    private final int endPfn;
    private final MemMap memMap;
    private final PageTypes types;
    private final PageList[] freeArea = new PageList[MAX_ORDER];
    private final int batch;
    private final int high;

    Zone(int id, String name, int startPfn, int endPfn, MemMap memMap, PageTypes types) {
        this.id = id;
        this.name = name;
        this.startPfn = startPfn;
        this.endPfn = endPfn;
        this.memMap = memMap;
        this.types = types;
        for (int o = 0; o < MAX_ORDER; o++) {
            freeArea[o] = new PageList(memMap);
        }
        // pageset_set_batch(): high = 6 * batch, but the batch itself is kept at 1 or more, so
        // a zone under 32 MiB (zone_batchsize 0) has high 0 and spills every free at once.
        int zoneBatch = zoneBatchsize(endPfn - startPfn);
        this.batch = Math.max(1, zoneBatch);
        this.high = 6 * zoneBatch;
    }

    /**
     * {@code zone_batchsize} (4.8 to 5.x): a quarter of the zone's 1/1024th, capped at 1 MiB
     * worth before the quarter, at least 1, then clamped to {@code 2^n - 1}; so it is 0 for a
     * zone of fewer than 8192 pages.
     */
    static int zoneBatchsize(long managedPages) {
        long b = managedPages / 1024;
        if (b * MemMap.PAGE_SIZE > 1024 * 1024) {
            b = (1024 * 1024) / MemMap.PAGE_SIZE;
        }
        b /= 4;
        if (b < 1) {
            b = 1;
        }
        return Integer.highestOneBit((int) (b + b / 2)) - 1;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public int startPfn() {
        return startPfn;
    }

    public int endPfn() {
        return endPfn;
    }

    /** The per-CPU list batch ({@code pcp->batch}). */
    public int batch() {
        return batch;
    }

    /** The per-CPU list high mark ({@code pcp->high} = 6 x zone_batchsize). */
    public int high() {
        return high;
    }

    /** Free blocks of {@code order} ({@code free_area[order].nr_free}), deferred ones included. */
    public synchronized int nrFree(int order) {
        return freeArea[order].size() + deferredBlocks(order);
    }

    /** Pages in the buddy free lists, deferred ones included: the zone's {@code NR_FREE_PAGES}. */
    public synchronized long freePages() {
        long n = memMap.firstInitPfn() - startPfn;
        for (int o = 0; o < MAX_ORDER; o++) {
            n += (long) freeArea[o].size() << o;
        }
        return n;
    }

    /**
     * The blocks of {@code order} the deferred sections will be freed as: the pages below
     * {@link MemMap#firstInitPfn()}, a multiple of the largest block from the zone's aligned
     * start, are all max-order blocks. Zone lock held.
     */
    public int deferredBlocks(int order) {
        return order == MAX_ORDER - 1 ? (memMap.firstInitPfn() - startPfn) >>> order : 0;
    }

    /** The free list of one order, for walkers holding the zone lock. */
    PageList freeList(int order) {
        return freeArea[order];
    }

    /**
     * Calls {@code visitor} with the head and order of every block on the free lists, lowest
     * order first, under the zone lock: a read-only walk for consistency checks. A list
     * corrupted into a cycle is cut after one step more than the zone has pages, so the walk
     * ends and the miscount shows.
     */
    public synchronized void forEachFreeBlock(ObjIntConsumer<Page> visitor) {
        int limit = endPfn - startPfn;
        for (int order = 0; order < MAX_ORDER; order++) {
            PageList list = freeArea[order];
            int steps = 0;
            for (Page p = list.first(); p != null && steps++ <= limit; p = list.next(p)) {
                visitor.accept(p, order);
            }
        }
    }

    /** {@code __rmqueue_smallest}: takes a block of {@code order}, splitting a larger one. */
    Page rmqueueSmallest(int order) {
        for (int current = order; current < MAX_ORDER; current++) {
            Page page = freeArea[current].pollFirst();
            if (page != null) {
                delBuddyMark(page);
                expand(page, order, current);
                return page;
            }
        }
        return deferredGrowZone() ? rmqueueSmallest(order) : null;
    }

    /**
     * {@code deferred_grow_zone}: initialises the highest deferred section and frees its pages
     * into the buddy as max-order blocks; false if no section is left. Zone lock held.
     *
     * <p>The blocks go to the tail of the max-order list, highest first: where a fully
     * initialised zone keeps the boot blocks of this section, behind every block freed since and
     * every boot block above it. (When the lists are empty, tail and head are one.) A deferred
     * section is whole, of whole max-order blocks: only the top one can be partial, and it is
     * initialised at boot.
     */
    boolean deferredGrowZone() {
        int end = memMap.firstInitPfn();
        int start = memMap.initSection();
        if (start < 0) {
            return false;
        }
        for (int pfn = end - (1 << (MAX_ORDER - 1)); pfn >= start; pfn -= 1 << (MAX_ORDER - 1)) {
            addToFreeListTail(memMap.page(pfn), MAX_ORDER - 1);
        }
        return true;
    }

    /**
     * {@code deferred_grow_zone} until {@code pfn} has its page: the mem_map's hook for a pfn
     * named before its section was needed ({@link MemMap#setDeferredInit}).
     */
    synchronized void deferredInitTo(int pfn) {
        while (pfn < memMap.firstInitPfn()) {
            deferredGrowZone();
        }
    }

    /** {@link #deferredInitTo} as the mem_map's hook. */
    IntConsumer deferredInitHook() {
        return new DeferredInitHook(this);
    }

    /** A named class, not a lambda, so that heap walkers (JOL) can follow the mem_map's hook. */
    private static final class DeferredInitHook implements IntConsumer {
        private final Zone zone;

        DeferredInitHook(Zone zone) {
            this.zone = zone;
        }

        @Override
        public void accept(int pfn) {
            zone.deferredInitTo(pfn);
        }
    }

    /**
     * {@code __free_pages_core} over {@code [start, end)}: hands initialised pages to the buddy
     * in the largest blocks that fit. Zone lock held.
     */
    void freePagesCore(int start, int end) {
        int pfn = start;
        while (pfn < end) {
            int order = MAX_ORDER - 1;
            while ((pfn & ((1 << order) - 1)) != 0 || pfn + (1 << order) > end) {
                order--;
            }
            freeOneBlock(memMap.page(pfn), order);
            pfn += 1 << order;
        }
    }

    /** {@code expand}: returns the upper halves of a split block to the lower free lists. */
    private void expand(Page page, int low, int high) {
        int size = 1 << high;
        int pfn = (int) page.pfn();
        while (high > low) {
            high--;
            size >>= 1;
            Page upper = memMap.page(pfn + size);
            addFree(upper, high);
        }
    }

    /** {@code __free_one_page}: frees a block and merges it with its buddies. */
    void freeOneBlock(Page page, int order) {
        int pfn = (int) page.pfn();
        while (order < MAX_ORDER - 1) {
            int buddyPfn = pfn ^ (1 << order);
            if (buddyPfn < startPfn || buddyPfn + (1 << order) > endPfn) {
                break;
            }
            Page buddy = memMap.page(buddyPfn);
            if (!pageIsBuddy(buddy, order)) {
                break;
            }
            freeArea[order].remove(buddy);
            delBuddyMark(buddy);
            pfn &= buddyPfn;
            order++;
        }
        addFree(memMap.page(pfn), order);
    }

    /**
     * {@code page_is_buddy}: the buddy is a free block of the same order. A page that reads as
     * PageBuddy while someone holds a reference (a corrupted type word) is the kernel's
     * {@code VM_BUG_ON_PAGE(page_count(buddy) != 0)}.
     */
    private boolean pageIsBuddy(Page buddy, int order) {
        if (!types.has(buddy, PageType.BUDDY) || buddy.privateWord() != order) {
            return false;
        }
        if (buddy.refcount() != 0) {
            throw types.bug(buddy, "page_count(buddy) != 0");
        }
        return true;
    }

    /**
     * {@code buddy_order_unsafe}: the order of the free block {@code page} heads, read without the
     * zone lock, as the kernel's pfn walkers read it to step over free blocks; -1 when the page
     * heads none (or its order word is out of range, as the walkers' {@code order < MAX_ORDER}
     * test treats it).
     */
    public static int buddyOrderUnsafe(Page page, PageTypes types) {
        if (!types.has(page, PageType.BUDDY)) {
            return -1;
        }
        int order = page.privateWord();
        return order >= 0 && order < MAX_ORDER ? order : -1;
    }

    private void addFree(Page page, int order) {
        setBuddyOrder(page, order);
        freeArea[order].addHead(page);
    }

    /** {@code add_to_free_list_tail}: a block that merges with nothing, behind the others. */
    private void addToFreeListTail(Page page, int order) {
        setBuddyOrder(page, order);
        freeArea[order].addTail(page);
    }

    private void setBuddyOrder(Page page, int order) {
        page.setPrivateWord(order);
        types.set(page, PageType.BUDDY);
    }

    private void delBuddyMark(Page page) {
        types.clear(page, PageType.BUDDY);
        page.setPrivateWord(0);
    }

    @Override
    public String toString() {
        return "zone " + name;
    }
}
