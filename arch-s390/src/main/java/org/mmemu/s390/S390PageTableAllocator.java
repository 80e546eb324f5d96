package org.mmemu.s390;

import com.google.inject.Inject;
import org.mmemu.core.KernelBug;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.MmuGather;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.mm.PageTableCtor;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;

/**
 * The s390 page-table allocator (arch/s390/mm/pgalloc.c, asm/pgalloc.h, asm/tlb.h), bound as
 * {@code pgtable.S390}. A new mm gets three levels, as {@code init_new_context} gives every
 * exec'd process (an address limit of 4 TiB; the kernel adds levels on demand above that, which
 * the emulator does not):
 *
 * <pre>
 *  level  kernel name      table                      shift  entries  bytes  one table maps
 *  2      region-third     CRST, the pgd              31     2048     16K    4 TiB
 *  1      segment (pmd)    CRST                       20     2048     16K    2 GiB
 *  0      page (pte)       2K half of a 4K page (or   12     256      2K     1 MiB
 *                          a whole page, by layout)
 * </pre>
 *
 * <ul>
 *   <li>CRST tables are order-2 allocations ({@code crst_table_alloc}; compound from 6.8);
 *       segment tables run the page-table constructor on their first page
 *       ({@code pmd_alloc_one}), the pgd does not;</li>
 *   <li>PTE tables come from {@link PteTables} in the era's {@link FragmentLayout}, kept on the
 *       mm's {@code pgtable_list} ({@link S390MmContext});</li>
 *   <li>a teardown never uses {@code tlb_remove_page}: PTE tables go through
 *       {@code page_table_free_rcu} and segment tables through {@code tlb_remove_table}, and
 *       are freed by {@link #rcuFreeTable} after a grace period;</li>
 *   <li>the gfp is the {@link S390PageTableGfp} policy's: {@code GFP_KERNEL} unless the
 *       accounted override is selected.</li>
 * </ul>
 *
 * <p>The 4.x layout overwrites the whole {@code _mapcount}, so it needs a page-type encoding
 * without a {@code PageTable} type (4.8-4.17); another encoding is refused when the machine boots.
 */
public final class S390PageTableAllocator implements PageTableAllocator {
    /** The policy name. */
    public static final String NAME = "pgtable.S390";

    /** Entries of a region or segment table. */
    private static final int CRST_ENTRIES = 2048;

    /** Three levels: region-third (the pgd), segment, page; user space below 4 TiB. */
    public static final PageTableGeometry GEOMETRY = new PageTableGeometry(
            new int[] {12, 20, 31}, new int[] {PteTables.PTRS_PER_PTE, CRST_ENTRIES, CRST_ENTRIES}, 1L << 42);

    /** {@code CRST_ALLOC_ORDER}: a region or segment table takes four pages. */
    public static final int CRST_ALLOC_ORDER = 2;

    private final PageAllocator allocator;
    private final PageTableCtor ctor;
    private final MemMap memMap;
    private final FragmentLayout layout;
    private final PteTables pteTables;
    private final int crstGfp;
    private volatile boolean allocatePgste;

    @Inject
    public S390PageTableAllocator(PageAllocator allocator, PageTableCtor ctor, PageTypes types,
                                  DumpPage dumpPage, KernelLog log, FragmentLayout layout,
                                  S390PageTableGfp gfp) {
        if (layout.bitsInMapcount() && types.encoding().supports(PageType.TABLE)) {
            throw new IllegalStateException(layout.policyName() + " keeps the fragment bits in the"
                    + " whole _mapcount word, which " + types.encoding().policyName() + " uses for the"
                    + " PageTable type: pick the 4.8-4.17 page types (pagetype.Value48) with it");
        }
        this.allocator = allocator;
        this.ctor = ctor;
        this.memMap = allocator.memMap();
        this.layout = layout;
        this.pteTables = new PteTables(allocator, ctor, types, dumpPage, log, layout, gfp);
        this.crstGfp = gfp.gfp() | layout.allocFlags();
    }

    /** The mm's s390 context, or a {@link KernelBug} for an mm this allocator did not set up. */
    public static S390MmContext context(MmStruct mm) {
        if (mm.archContext() instanceof S390MmContext ctx) {
            return ctx;
        }
        throw new KernelBug("BUG: " + mm + " has no s390 mm context: its pgd was not allocated by "
                + NAME);
    }

    /**
     * The {@code vm.allocate_pgste} sysctl: mms whose pgd is allocated while it is set take
     * whole-page PTE tables with room for PGSTEs, as a KVM host needs for its guests.
     */
    public void setAllocatePgste(boolean allocate) {
        this.allocatePgste = allocate;
    }

    /** The layout in force. */
    public FragmentLayout layout() {
        return layout;
    }

    @Override
    public String policyName() {
        return NAME;
    }

    @Override
    public PageTableGeometry geometry() {
        return GEOMETRY;
    }

    /** {@code init_new_context} + {@code pgd_alloc}: the context, then a CRST table. */
    @Override
    public PageTable allocPgd(MmStruct mm) {
        mm.setArchContext(new S390MmContext(memMap, allocatePgste));
        return crstTable(GEOMETRY.top());
    }

    /** {@code pgd_free}: {@code crst_table_free}. */
    @Override
    public void freePgd(MmStruct mm, PageTable pgd) {
        crstFree(pgd.page());
    }

    /** {@code pte_alloc_one} ({@code page_table_alloc}) and {@code pmd_alloc_one}. */
    @Override
    public PageTable allocTable(MmStruct mm, int level) {
        checkLevel(level);
        if (level == 0) {
            return pteTables.alloc(context(mm));
        }
        PageTable table = crstTable(level);
        if (table != null) {
            ctor.ctor(table.page());
        }
        return table;
    }

    /** {@code pte_free} ({@code page_table_free}) and {@code pmd_free}. */
    @Override
    public void freeTable(MmStruct mm, PageTable table) {
        checkLevel(table.level());
        if (table.level() == 0) {
            pteTables.free(context(mm), table);
        } else {
            ctor.dtor(table.page());
            crstFree(table.page());
        }
    }

    /**
     * {@code pte_free_tlb} ({@code page_table_free_rcu}) and {@code pmd_free_tlb}
     * (destructor, then {@code tlb_remove_table}).
     */
    @Override
    public void freeTableTlb(MmuGather tlb, PageTable table) {
        checkLevel(table.level());
        if (table.level() == 0) {
            pteTables.freeRcu(context(tlb.mm()), tlb, table);
        } else {
            ctor.dtor(table.page());
            tlb.removeTable(table);
        }
    }

    /** {@code __tlb_remove_table}: a PTE table or half, or a CRST table ({@code free_pages}). */
    @Override
    public void rcuFreeTable(PageTable table) {
        if (table.level() == 0) {
            pteTables.rcuFree(table);
        } else {
            crstFree(table.page());
        }
    }

    /** {@code crst_table_alloc}: an order-2 block; null when out of memory. */
    private PageTable crstTable(int level) {
        Page page = allocator.allocPages(crstGfp, CRST_ALLOC_ORDER);
        return page == null ? null : new PageTable(page, 0, level, CRST_ENTRIES);
    }

    /** {@code crst_table_free}. */
    private void crstFree(Page page) {
        allocator.freePages(page, CRST_ALLOC_ORDER);
    }

    private static void checkLevel(int level) {
        if (level < 0 || level >= GEOMETRY.top()) {
            throw new IllegalArgumentException("no table level " + level + " below the pgd");
        }
    }
}
