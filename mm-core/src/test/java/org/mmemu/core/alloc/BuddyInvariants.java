package org.mmemu.core.alloc;

import java.util.BitSet;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageList;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;

/**
 * The buddy allocator's invariants, checked by walking the free lists and per-CPU lists at
 * quiescence. Each violation throws an {@link AssertionError} naming the page.
 *
 * <ul>
 *   <li>each free block head is typed Buddy, holds its order in {@code private}, has refcount 0,
 *       is aligned to its size and lies inside the zone; the rest of the block is untyped;</li>
 *   <li>no two free blocks overlap, and no free block has its buddy free at the same order (they
 *       would have merged);</li>
 *   <li>per-CPU pages are untyped order-0 pages with refcount 0, on no free list;</li>
 *   <li>{@code NR_FREE_PAGES} counts exactly the buddy pages, {@code nr_free} each list.</li>
 * </ul>
 */
final class BuddyInvariants {
    private BuddyInvariants() {
    }

    /** {@code nr_free} of every order, lowest first: a zone's state to compare before and after. */
    static int[] freeCounts(Zone zone) {
        int[] counts = new int[Zone.MAX_ORDER];
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            counts[o] = zone.nrFree(o);
        }
        return counts;
    }

    /** Checks the invariants; returns the free pfns (buddy and per-CPU). */
    static BitSet check(PageAllocator alloc, PageTypes types) {
        Zone zone = alloc.zone();
        MemMap memMap = alloc.memMap();
        BitSet buddy = new BitSet(memMap.nrPages());
        synchronized (zone) {
            for (int order = 0; order < Zone.MAX_ORDER; order++) {
                PageList list = zone.freeList(order);
                int n = 0;
                for (Page p = list.first(); p != null; p = list.next(p)) {
                    n++;
                    checkFreeBlock(zone, memMap, types, buddy, p, order);
                }
                if (n != zone.nrFree(order)) {
                    throw new AssertionError("order " + order + ": nr_free " + zone.nrFree(order)
                            + " but " + n + " blocks listed");
                }
            }
            if (zone.freePages() != buddy.cardinality()) {
                throw new AssertionError("NR_FREE_PAGES " + zone.freePages() + " but "
                        + buddy.cardinality() + " pages in free blocks");
            }
        }
        BitSet free = alloc.freePfns();
        BitSet pcp = (BitSet) free.clone();
        pcp.andNot(buddy);
        if (pcp.cardinality() != alloc.nrPcpPages()) {
            throw new AssertionError(alloc.nrPcpPages() + " per-CPU pages but "
                    + pcp.cardinality() + " distinct ones outside the buddy (a page listed twice?)");
        }
        for (int pfn = pcp.nextSetBit(0); pfn >= 0; pfn = pcp.nextSetBit(pfn + 1)) {
            Page p = memMap.page(pfn);
            if (p.refcount() != 0 || p.mapcountWord() != MapcountWord.UNMAPPED) {
                throw new AssertionError("per-CPU " + p + " has refcount " + p.refcount()
                        + ", _mapcount 0x" + Integer.toHexString(p.mapcountWord()));
            }
        }
        return free;
    }

    /** The pfns on per-CPU lists: free, but on no buddy free list. */
    static BitSet perCpuPfns(PageAllocator alloc) {
        Zone zone = alloc.zone();
        BitSet pfns = alloc.freePfns();
        synchronized (zone) {
            for (int order = 0; order < Zone.MAX_ORDER; order++) {
                PageList list = zone.freeList(order);
                for (Page p = list.first(); p != null; p = list.next(p)) {
                    pfns.clear((int) p.pfn(), (int) p.pfn() + (1 << order));
                }
            }
        }
        return pfns;
    }

    private static void checkFreeBlock(Zone zone, MemMap memMap, PageTypes types, BitSet seen,
                                       Page head, int order) {
        int pfn = (int) head.pfn();
        int size = 1 << order;
        String where = "free block " + head + " order " + order;
        if (!types.has(head, PageType.BUDDY)) {
            throw new AssertionError(where + ": head not PageBuddy, _mapcount 0x"
                    + Integer.toHexString(head.mapcountWord()));
        }
        if (head.privateWord() != order) {
            throw new AssertionError(where + ": private holds order " + head.privateWord());
        }
        if (head.refcount() != 0) {
            throw new AssertionError(where + ": refcount " + head.refcount());
        }
        if ((pfn & (size - 1)) != 0 || pfn < zone.startPfn() || pfn + size > zone.endPfn()) {
            throw new AssertionError(where + ": misaligned or outside the zone");
        }
        if (seen.nextSetBit(pfn) >= 0 && seen.nextSetBit(pfn) < pfn + size) {
            throw new AssertionError(where + ": overlaps another free block at pfn 0x"
                    + Integer.toHexString(seen.nextSetBit(pfn)));
        }
        for (int i = 1; i < size; i++) {
            Page p = memMap.page(pfn + i);
            if (p.mapcountWord() != MapcountWord.UNMAPPED || p.refcount() != 0) {
                throw new AssertionError(where + ": inner " + p + " has _mapcount 0x"
                        + Integer.toHexString(p.mapcountWord()) + ", refcount " + p.refcount());
            }
        }
        int buddyPfn = pfn ^ size;
        if (order < Zone.MAX_ORDER - 1 && buddyPfn + size <= zone.endPfn()) {
            Page b = memMap.page(buddyPfn);
            if (types.has(b, PageType.BUDDY) && b.privateWord() == order) {
                throw new AssertionError(where + ": its buddy " + b + " is free at the same order");
            }
        }
        seen.set(pfn, pfn + size);
    }
}
