package org.mmemu.s390;

import static org.mmemu.core.page.MapcountWord.S390_ALLOCATED_MASK;
import static org.mmemu.core.page.MapcountWord.S390_PENDING_SHIFT;

import java.util.Locale;
import java.util.Set;
import org.mmemu.core.KernelBug;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.mm.MmuGather;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableCtor;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;

/**
 * s390's PTE tables ({@code page_table_alloc}, {@code page_table_free},
 * {@code page_table_free_rcu} and the PTE cases of {@code __tlb_remove_table}): 256 entries, 2K,
 * two to a 4K page in the layouts that share pages, each half's state in the page's
 * {@link FragmentLayout fragment bits}.
 *
 * <pre>
 *  bits  (PP AA)  page                 on pgtable_list   page_table_alloc takes
 *  0x01  -- -L    lower half in use    yes               the upper half
 *  0x02  -- U-    upper half in use    yes               the lower half
 *  0x03  -- UL    both in use          no                nothing: a fresh page
 *  0x12  -L U-    lower pending RCU    yes (at the tail) nothing until the grace period ends
 *  0x10  -L --    lower pending, alone no                nothing; freed when RCU completes
 * </pre>
 *
 * A page is freed when its bits reach zero. Only the first page of the list is looked at, as
 * in the kernel. A KVM (pgste) mm takes whole pages with bits 3 and never lists them.
 *
 * <p>Beyond the kernel: freeing a half that is not allocated (or completing an RCU free that is
 * not pending) is a {@link KernelBug} instead of a silent XOR that would mark it allocated;
 * writing the 4.x bits over a {@code _mapcount} another tenant holds is printed with both
 * tenants named; and a page whose reference was dropped by {@code put_page} while the 4.18 bits
 * sat in {@code _refcount} is a {@code KernelBug} naming both when s390 comes to free it.
 */
final class PteTables {
    /** {@code PTRS_PER_PTE}. */
    static final int PTRS_PER_PTE = 256;
    /** {@code PTRS_PER_PTE * sizeof(pte_t)}: the bytes of one PTE table, half a page. */
    static final int PTE_TABLE_BYTES = PTRS_PER_PTE * 8;
    /** Both halves: the bits of a fresh pgste table, and the fold of a full page. */
    private static final int BOTH_HALVES = S390_ALLOCATED_MASK;

    private final PageAllocator allocator;
    private final PageTableCtor ctor;
    private final PageTypes types;
    private final DumpPage dumpPage;
    private final KernelLog log;
    private final FragmentLayout layout;
    private final int gfp;

    PteTables(PageAllocator allocator, PageTableCtor ctor, PageTypes types, DumpPage dumpPage,
              KernelLog log, FragmentLayout layout, S390PageTableGfp gfp) {
        this.allocator = allocator;
        this.ctor = ctor;
        this.types = types;
        this.dumpPage = dumpPage;
        this.log = log;
        this.layout = layout;
        this.gfp = gfp.gfp() | layout.allocFlags();
    }

    /** {@code page_table_alloc}: a half from the list's first page, or a fresh page; null on OOM. */
    PageTable alloc(S390MmContext ctx) {
        boolean halves = layout.sharesPages() && !ctx.allocPgste();
        if (halves) {
            synchronized (ctx) {
                Page page = ctx.list().first();
                if (page != null) {
                    int mask = MapcountWord.s390FoldedMask(layout.bits(page));
                    if (mask != BOTH_HALVES) {
                        int bit = mask & 1;   // the lower half taken: hand out the upper
                        layout.xorBits(page, 1 << bit);
                        ctx.list().remove(page);
                        return table(page, bit);
                    }
                }
            }
        }
        Page page = allocator.allocPages(gfp, 0);
        if (page == null) {
            return null;
        }
        ctor.ctor(page);
        if (!layout.sharesPages()) {
            return table(page, 0);
        }
        int first = halves ? 1 : BOTH_HALVES;
        if (layout.bitsInMapcount() && page.mapcountWord() != MapcountWord.UNMAPPED) {
            reportOverwrite(page, first);
        }
        layout.initBits(page, first);
        if (halves) {
            synchronized (ctx) {
                ctx.list().addHead(page);
            }
        }
        return table(page, 0);
    }

    /** {@code page_table_free}: the half is free at once; the page goes when both are. */
    void free(S390MmContext ctx, PageTable table) {
        Page page = table.page();
        if (layout.sharesPages()) {
            if (!ctx.allocPgste()) {
                int bit = half(table);
                int mask;
                synchronized (ctx) {
                    requireBit(page, 1 << bit, "page_table_free", "allocated");
                    mask = layout.xorBits(page, 1 << bit);
                    relist(ctx, page, mask, false);
                }
                if (mask != 0) {
                    return;
                }
            } else if (!layout.bitsInMapcount()) {
                layout.xorBits(page, BOTH_HALVES);
            }
        }
        freePage(page);
    }

    /**
     * {@code page_table_free_rcu}: the half is marked pending and the table queued with
     * {@code tlb_remove_table}; {@link #rcuFree} completes it after the grace period.
     */
    void freeRcu(S390MmContext ctx, MmuGather tlb, PageTable table) {
        if (layout.sharesPages() && !ctx.allocPgste()) {
            Page page = table.page();
            int bit = half(table);
            int allocatedAndPending = (1 | 1 << S390_PENDING_SHIFT) << bit;
            synchronized (ctx) {
                requireBit(page, 1 << bit, "page_table_free_rcu", "allocated");
                relist(ctx, page, layout.xorBits(page, allocatedAndPending), true);
            }
        }
        tlb.removeTable(table);
    }

    /**
     * {@code __tlb_remove_table} for a PTE table. The kernel tags the queued pointer's low bits
     * (1 or 2: a pending half, 3: a whole pgste table); the emulator reads the same fact from the
     * page: the half's pending bit is set only in the first case.
     */
    void rcuFree(PageTable table) {
        Page page = table.page();
        if (layout.sharesPages()) {
            int pending = 1 << S390_PENDING_SHIFT << half(table);
            int bits = layout.bits(page);
            if ((bits & pending) != 0) {
                if (layout.xorBits(page, pending) != 0) {
                    return;
                }
            } else if (bits == BOTH_HALVES && table.offset() == 0) {
                if (!layout.bitsInMapcount()) {
                    layout.xorBits(page, BOTH_HALVES);
                }
            } else {
                throw notIn(page, pending, "__tlb_remove_table", "pending an RCU free");
            }
        }
        freePage(page);
    }

    /** The tail of every path: destructor, the word reset, {@code __free_page}. */
    private void freePage(Page page) {
        if (layout.sharesPages() && layout.references(page) == 0) {
            throw referenceDropped(page);
        }
        ctor.dtor(page);
        if (layout.sharesPages()) {
            layout.resetWord(page);
        }
        allocator.freePages(page, 0);
    }

    /** After a free: back on the list while a half is in use, off it when none is. */
    private static void relist(S390MmContext ctx, Page page, int mask, boolean tail) {
        if ((mask & S390_ALLOCATED_MASK) == 0) {
            ctx.list().remove(page);
        } else if (tail) {
            ctx.list().addTail(page);
        } else {
            ctx.list().addHead(page);
        }
    }

    private static PageTable table(Page page, int half) {
        return new PageTable(page, half * PTE_TABLE_BYTES, 0, PTRS_PER_PTE);
    }

    /** 0 for the lower 2K, 1 for the upper. */
    private static int half(PageTable table) {
        return table.offset() / PTE_TABLE_BYTES;
    }

    private void requireBit(Page page, int bit, String function, String state) {
        if ((layout.bits(page) & bit) == 0) {
            throw notIn(page, bit, function, state);
        }
    }

    private KernelBug notIn(Page page, int bit, String function, String state) {
        String half = (bit & 0x11) != 0 ? "lower" : "upper";
        return bug(page, String.format(Locale.ROOT, "%s of the %s 2K table of pfn 0x%x, which is"
                + " not %s: the fragment bits in %s are 0x%x (a double free, or a table s390"
                + " never handed out)", function, half, page.pfn(), state, layout.word(),
                layout.bits(page)));
    }

    /**
     * The 4.x collision: {@code atomic_set(&page->_mapcount, 1)} on a page whose word another
     * tenant holds (a page type set by the allocation's hooks) erases it. The kernel does it
     * silently; the emulator does it too, and says so.
     */
    private void reportOverwrite(Page page, int bits) {
        int word = page.mapcountWord();
        Set<PageType> tenants = types.encoding().typesOf(word);
        String held = tenants.isEmpty() ? "a value no page type explains" : "the type " + names(tenants);
        log.printk(String.format(Locale.ROOT, "mmemu: _mapcount collision on pfn 0x%x: s390"
                + " page_table_alloc writes its fragment bits 0x%x over _mapcount 0x%08x, which"
                + " holds %s; that tenant is lost", page.pfn(), bits, word, held));
        log.printk(dumpPage.dump(page, "s390 fragment bits over another _mapcount tenant"));
    }

    /**
     * A {@code put_page} dropped the reference the table page was allocated with while the 4.18
     * fragment bits kept {@code _refcount} above zero: {@code __free_page} would now find a zero
     * count ({@code VM_BUG_ON_PAGE} in {@code put_page_testzero}).
     */
    private KernelBug referenceDropped(Page page) {
        Set<PageType> held = types.encoding().typesOf(page.mapcountWord());
        return bug(page, String.format(Locale.ROOT, "page_ref_count(page) == 0 when s390 frees the"
                + " page table at pfn 0x%x: a put_page dropped the reference the table was"
                + " allocated with while s390 still held the page through its fragment bits in %s"
                + " (page types: %s)", page.pfn(), layout.word(), held.isEmpty() ? "none" : names(held)));
    }

    /** {@code PageKmemcg, PageTable}: the types as the kernel's tests name them. */
    private static String names(Set<PageType> set) {
        StringBuilder sb = new StringBuilder();
        for (PageType t : set) {
            String n = t.kernelName();
            sb.append(sb.length() == 0 ? "" : ", ").append("Page")
                    .append(Character.toUpperCase(n.charAt(0))).append(n.substring(1));
        }
        return sb.toString();
    }

    private KernelBug bug(Page page, String condition) {
        return types.bug(page, condition);
    }
}
