package org.mmemu.core.alloc;

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

    /** Free blocks of {@code order} ({@code free_area[order].nr_free}). */
    public synchronized int nrFree(int order) {
        return freeArea[order].size();
    }

    /** Pages in the buddy free lists: the zone's {@code NR_FREE_PAGES}. */
    public synchronized long freePages() {
        long n = 0;
        for (int o = 0; o < MAX_ORDER; o++) {
            n += (long) freeArea[o].size() << o;
        }
        return n;
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
        return null;
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

    private void addFree(Page page, int order) {
        page.setPrivateWord(order);
        types.set(page, PageType.BUDDY);
        freeArea[order].addHead(page);
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
