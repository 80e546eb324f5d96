package org.mmemu.core.mm;

import com.google.inject.Inject;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.Page;

/**
 * The x86-64 page-table allocator (arch/x86/mm/pgtable.c with asm-generic/pgalloc.h): every
 * table is one whole page, allocated with the era's {@link PageTableGfp}.
 *
 * <ul>
 *   <li>PTE, PMD and PUD tables run the page-table constructor ({@link PageTableCtor}: the
 *       {@code PageTable} type from 4.18, {@code NR_PAGETABLE}), as the latest kernels'
 *       {@code pagetable_*_ctor} do for every level below the pgd;</li>
 *   <li>the pgd is a plain page ({@code _pgd_alloc} is {@code __get_free_pages}; one page, as
 *       without page-table isolation);</li>
 *   <li>a table freed during a teardown goes through {@code tlb_remove_page}: it joins the
 *       gather's page batch and leaves with {@code release_pages}.</li>
 * </ul>
 */
public final class GenericPageTableAllocator implements PageTableAllocator {
    /** The policy name. */
    public static final String NAME = "pgtable.Generic";

    private final PageTableGeometry geometry = PageTableGeometry.X86_64;
    private final PageAllocator allocator;
    private final PageRefs refs;
    private final PageTableCtor ctor;
    private final PageTableGfp gfp;

    @Inject
    public GenericPageTableAllocator(PageAllocator allocator, PageRefs refs, PageTableCtor ctor,
                                     PageTableGfp gfp) {
        this.allocator = allocator;
        this.refs = refs;
        this.ctor = ctor;
        this.gfp = gfp;
    }

    @Override
    public String policyName() {
        return NAME;
    }

    @Override
    public PageTableGeometry geometry() {
        return geometry;
    }

    @Override
    public PageTable allocPgd(MmStruct mm) {
        Page page = allocator.allocPages(gfp.userGfp(), 0);
        return page == null ? null : new PageTable(page, 0, geometry.top(), geometry.entries(geometry.top()));
    }

    @Override
    public void freePgd(MmStruct mm, PageTable pgd) {
        allocator.freePages(pgd.page(), 0);
    }

    @Override
    public PageTable allocTable(MmStruct mm, int level) {
        if (level < 0 || level >= geometry.top()) {
            throw new IllegalArgumentException("no table level " + level + " below the pgd");
        }
        Page page = allocator.allocPages(gfp.userGfp(), 0);
        if (page == null) {
            return null;
        }
        ctor.ctor(page);
        return new PageTable(page, 0, level, geometry.entries(level));
    }

    /** {@code pte_free}: destructor, then {@code __free_page}. */
    @Override
    public void freeTable(MmStruct mm, PageTable table) {
        ctor.dtor(table.page());
        allocator.freePages(table.page(), 0);
    }

    /** {@code ___pte_free_tlb}: destructor now, the page with the gather's batch. */
    @Override
    public void freeTableTlb(MmuGather tlb, PageTable table) {
        ctor.dtor(table.page());
        tlb.removePage(table.page());
    }

    /**
     * {@code __tlb_remove_table} of the RCU table-free configuration (x86 under a hypervisor):
     * the destructor has run when the table was queued, so only the reference is dropped.
     */
    @Override
    public void rcuFreeTable(PageTable table) {
        refs.putPage(table.page());
    }
}
