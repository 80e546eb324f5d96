package org.mmemu.memcg.kmem;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;

/**
 * How pages allocated for the kernel are charged to memory cgroups and marked as such: one
 * implementation per design the kernel has had, selected with
 * {@code policyBinder(binder, KmemAccountingPolicy.class).select(name)}.
 *
 * <pre>
 *  name                 era        charged by            page marked by             uncharged by
 *  kmem.ExplicitHelpers 4.6-4.7    alloc_kmem_pages      page->mem_cgroup only      free_kmem_pages only
 *  kmem.PageType        4.8-5.10   __GFP_ACCOUNT in the  PageKmemcg in _mapcount    whichever free path
 *                                  page allocator        + mem_cgroup pointer       runs, exactly once
 *  kmem.MemcgDataFlag   5.11       same                  memcg | MEMCG_DATA_KMEM    same; free path via stock
 *  kmem.Objcg           latest     same                  objcg | MEMCG_DATA_KMEM    same; charge follows reparenting
 * </pre>
 *
 * <p>The three entry points are the kernel's: {@link #chargePage} is {@code memcg_kmem_charge}
 * ({@code __memcg_kmem_charge_page}), {@link #unchargePage} is {@code memcg_kmem_uncharge}
 * ({@code __memcg_kmem_uncharge_page}) and {@link #release} is the kmem side of
 * {@code mem_cgroup_uncharge} on the last {@code put_page}. Where they are called from depends
 * on {@link #chargesInAllocator()}.
 */
public interface KmemAccountingPolicy {
    /** The dotted policy name. */
    String policyName();

    /**
     * True when the generic allocator and free paths charge and uncharge (4.8 and later);
     * false when only {@code alloc_kmem_pages}/{@code free_kmem_pages} do (before 4.8).
     */
    boolean chargesInAllocator();

    /**
     * Whether {@code page} carries this design's mark of a charged kernel page: a memcg pointer
     * at all (before 4.8, which is why put_page mistakes it for a file page), {@code PageKmemcg}
     * (4.8 to 5.10; lost while a 4.8/4.18 page is mapped), {@code MEMCG_DATA_KMEM} (5.11 on).
     * Not for slab pages, whose memcg_data is an obj_cgroup vector.
     */
    boolean isKmemPage(Page page);

    /**
     * Charges a new page of {@code 2^order} pages to the current context's cgroup and marks it.
     * Bypassed contexts and the root cgroup are not charged. {@code cpu} is the calling
     * thread's CPU, looked up once for the whole allocation.
     *
     * @return 0, or {@code -ENOMEM}: the caller frees the page and fails the allocation
     */
    int chargePage(Cpu cpu, Page page, int gfp, int order);

    /**
     * Uncharges a page being freed, if this policy sees it as charged kmem, and unmarks it;
     * {@code cpu} is the calling thread's CPU.
     */
    void unchargePage(Cpu cpu, Page page, int order);

    /**
     * {@code mem_cgroup_uncharge}: the last reference to a charged page was dropped through
     * {@code put_page}/{@code release_pages}; uncharge it and clear memcg_data (and any mark)
     * before the page reaches the free path.
     *
     * @param nrPages the number of pages (compound_nr of the head)
     */
    void release(Page page, int nrPages);
}
