package org.mmemu.core.check;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.Zone;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;

/**
 * The buddy allocator's invariants, walked over the zone's free lists under the zone lock (what
 * {@code __free_one_page} and {@code page_is_buddy} rely on):
 * <ul>
 *   <li>every block head is PageBuddy and holds its order in {@code private}
 *       ({@code set_buddy_order});</li>
 *   <li>a block of order n starts at a pfn aligned to {@code 2^n} and lies inside the zone;</li>
 *   <li>blocks do not overlap, no page inside a block is PageBuddy, every free page has
 *       refcount 0;</li>
 *   <li>two free buddies of the same order below the top order would have been merged;</li>
 *   <li>each list holds as many blocks as its {@code nr_free} says, and the blocks add up to
 *       {@code NR_FREE_PAGES}.</li>
 * </ul>
 * Pages on the per-CPU lists are outside the buddy and not walked here, nor are the deferred
 * sections of a lazily initialised mem_map, which have no pages yet: they count as the free
 * max-order blocks they will be ({@link Zone#deferredBlocks}), and the walk costs what the
 * machine initialised, not its size.
 */
public final class BuddyCheck implements ConsistencyCheck {
    private static final int SHOWN = 10;

    private final PageAllocator alloc;
    private final PageTypes types;
    private final DumpPage dumpPage;

    @Inject
    public BuddyCheck(PageAllocator alloc, PageTypes types, DumpPage dumpPage) {
        this.alloc = alloc;
        this.types = types;
        this.dumpPage = dumpPage;
    }

    @Override
    public String name() {
        return "buddy";
    }

    @Override
    public List<String> check() {
        Zone zone = alloc.zone();
        Violations v = new Violations(SHOWN);
        Pfns[] heads = new Pfns[Zone.MAX_ORDER];
        int[] walked = new int[Zone.MAX_ORDER];
        int[] nrFree = new int[Zone.MAX_ORDER];
        long nrFreePages;
        synchronized (zone) {
            // Pages exist from there up: the sets are as large as what was initialised.
            int base = alloc.memMap().firstInitPfn();
            Pfns covered = new Pfns(base, zone.endPfn());
            for (int o = 0; o < Zone.MAX_ORDER; o++) {
                heads[o] = new Pfns(base, zone.endPfn());
            }
            zone.forEachFreeBlock((head, order) -> {
                walked[order]++;
                heads[order].set((int) head.pfn());
                checkBlock(zone, head, order, covered, v);
            });
            for (int o = 0; o < Zone.MAX_ORDER; o++) {
                walked[o] += zone.deferredBlocks(o);
                nrFree[o] = zone.nrFree(o);
            }
            nrFreePages = alloc.nrFreePages();
        }
        // The counts first: a broken list shows there before its many block problems.
        List<String> all = new ArrayList<>();
        long pages = 0;
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            if (walked[o] != nrFree[o]) {
                all.add(format("the order-%d free list links %d blocks but its nr_free is %d",
                        o, walked[o], nrFree[o]));
            }
            pages += (long) walked[o] << o;
        }
        if (pages != nrFreePages) {
            all.add(format("the free lists hold %d pages but NR_FREE_PAGES is %d", pages, nrFreePages));
        }
        checkMerged(heads, v);
        all.addAll(v.list());
        return all;
    }

    private void checkBlock(Zone zone, Page head, int order, Pfns covered, Violations v) {
        int pfn = (int) head.pfn();
        int size = 1 << order;
        if (!types.has(head, PageType.BUDDY)) {
            v.add(pageProblem(head, format("pfn 0x%x on the order-%d free list is not PageBuddy",
                    pfn, order)));
        }
        if (head.privateWord() != order) {
            v.add(pageProblem(head, format("pfn 0x%x on the order-%d free list has order %d in"
                    + " private", pfn, order, head.privateWord())));
        }
        if ((pfn & (size - 1)) != 0) {
            v.add(format("the order-%d block at pfn 0x%x is not aligned to its order", order, pfn));
        }
        if (pfn < zone.startPfn() || pfn + size > zone.endPfn()) {
            v.add(format("the order-%d block at pfn 0x%x runs outside %s (pfns 0x%x-0x%x)",
                    order, pfn, zone, zone.startPfn(), zone.endPfn() - 1));
            return;
        }
        int clash = covered.nextSetBit(pfn);
        if (clash >= 0 && clash < pfn + size) {
            v.add(format("the order-%d block at pfn 0x%x overlaps another free block (pfn 0x%x is"
                    + " already free)",
                    order, pfn, clash));
        }
        covered.set(pfn, pfn + size);
        MemMap memMap = alloc.memMap();
        for (int i = 0; i < size; i++) {
            Page p = memMap.page(pfn + i);
            if (p.refcount() != 0) {
                v.add(pageProblem(p, format("free pfn 0x%x (in the order-%d block at 0x%x) has"
                        + " refcount %d", pfn + i, order, pfn, p.refcount())));
            }
            if (i > 0 && types.has(p, PageType.BUDDY)) {
                v.add(pageProblem(p, format("pfn 0x%x inside the order-%d block at 0x%x is"
                        + " PageBuddy", pfn + i, order, pfn)));
            }
        }
    }

    /** {@code __free_one_page} merges a freed block with a free buddy of its order. */
    private static void checkMerged(Pfns[] heads, Violations v) {
        for (int o = 0; o < Zone.MAX_ORDER - 1; o++) {
            Pfns h = heads[o];
            for (int pfn = h.nextSetBit(0); pfn >= 0; pfn = h.nextSetBit(pfn + 1)) {
                int buddy = pfn ^ (1 << o);
                if (buddy > pfn && h.get(buddy)) {
                    v.add(format("the free order-%d buddies at pfns 0x%x and 0x%x were not merged",
                            o, pfn, buddy));
                }
            }
        }
    }

    /** A set of pfns from {@code base} up, as large as the pfns it may hold. */
    private static final class Pfns {
        private final int base;
        private final BitSet set;

        Pfns(int base, int end) {
            this.base = base;
            this.set = new BitSet(end - base);
        }

        void set(int pfn) {
            set.set(pfn - base);
        }

        void set(int from, int to) {
            set.set(from - base, to - base);
        }

        boolean get(int pfn) {
            return pfn >= base && set.get(pfn - base);
        }

        /** The first pfn in the set at or above {@code pfn}, or -1. */
        int nextSetBit(int pfn) {
            int i = set.nextSetBit(Math.max(0, pfn - base));
            return i < 0 ? -1 : i + base;
        }
    }

    private String pageProblem(Page page, String what) {
        return what + "\n" + dumpPage.dump(page, null);
    }

    private static String format(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
