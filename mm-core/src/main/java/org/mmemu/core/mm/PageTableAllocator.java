package org.mmemu.core.mm;

/**
 * The architecture's page-table allocator ({@code pgd_alloc}, {@code pte_alloc_one},
 * {@code pmd_alloc_one}, {@code pte_free}, {@code __pte_free_tlb}, {@code __tlb_remove_table}
 * ...): the SPI through which an {@link MmStruct} gets and frees its tables, bound as a policy
 * (see {@link org.mmemu.core.policy.PolicyBinder}).
 *
 * <p>Tables are objects ({@link PageTable}: page, offset in the page, entries), not bare pages,
 * so an implementation may put several tables in one page and keep its bookkeeping in that
 * page's words, as s390 keeps its 2K-fragment bits in {@code _mapcount} or {@code _refcount}.
 * There are two ways to free:
 * <ul>
 *   <li>{@link #freeTable}: at once, when nothing can still be walking the table (an error
 *       path, or a table that lost a populate race);</li>
 *   <li>{@link #freeTableTlb}: while tearing mappings down, through an {@link MmuGather}. The
 *       generic (x86) way is {@code tlb_remove_page}: the page joins the gather's page batch
 *       and is released with {@code release_pages} after the TLB flush. An architecture whose
 *       page-table walkers run without locks instead queues the table with
 *       {@link MmuGather#removeTable} ({@code tlb_remove_table}); the gather hands the batch to
 *       RCU and calls {@link #rcuFreeTable} for each table after a grace period.</li>
 * </ul>
 *
 * <p>Implementations: {@link GenericPageTableAllocator} ({@code pgtable.Generic}, x86-64), and
 * the s390 allocator of the {@code arch-s390} module, which binds itself like this (its
 * constructor may reuse {@link PageTableCtor} for the {@code PageTable} type and
 * {@code NR_PAGETABLE}):
 *
 * <pre>
 *  policyBinder(binder, PageTableAllocator.class)
 *      .register("pgtable.S390", S390PageTableAllocator.class)   // bound machine-scoped
 *      .select("pgtable.S390");
 * </pre>
 */
public interface PageTableAllocator {
    /** The policy's dotted name ({@code pgtable.Generic}). */
    String policyName();

    /** The shape of the tables this allocator hands out. */
    PageTableGeometry geometry();

    /** {@code pgd_alloc}: the top-level table of a new mm, or null when out of memory. */
    PageTable allocPgd(MmStruct mm);

    /** {@code pgd_free}. */
    void freePgd(MmStruct mm, PageTable pgd);

    /**
     * {@code pte_alloc_one}, {@code pmd_alloc_one}, {@code pud_alloc_one}: a table of
     * {@code level} (0 for PTEs, below the pgd's level), or null when out of memory.
     */
    PageTable allocTable(MmStruct mm, int level);

    /** {@code pte_free}, {@code pmd_free}, {@code pud_free}: frees a table at once. */
    void freeTable(MmStruct mm, PageTable table);

    /**
     * {@code __pte_free_tlb}, {@code __pmd_free_tlb}, {@code __pud_free_tlb}: frees a table
     * unhooked during a teardown once {@code tlb} has flushed the TLB.
     */
    void freeTableTlb(MmuGather tlb, PageTable table);

    /**
     * {@code __tlb_remove_table}: frees a table queued with {@link MmuGather#removeTable}, once
     * the grace period after the gather's flush has passed.
     */
    void rcuFreeTable(PageTable table);
}
