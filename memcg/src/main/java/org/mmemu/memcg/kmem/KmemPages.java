package org.mmemu.memcg.kmem;

import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;

import com.google.inject.Inject;
import org.mmemu.core.alloc.KmemPageHelpers;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpus;

/**
 * {@code alloc_kmem_pages} / {@code free_kmem_pages} (4.6/4.7 mm/page_alloc.c). Under the
 * explicit-helpers policy these are the only calls that charge and uncharge kernel pages; from
 * 4.8 on the allocator itself charges, and they are plain {@code alloc_pages}/{@code __free_pages}.
 * memcg binds them as mm-core's {@link KmemPageHelpers}, which vmalloc takes its pages through.
 */
public final class KmemPages implements KmemPageHelpers {
    private final PageAllocator allocator;
    private final KmemAccountingPolicy policy;
    private final KmemStaticKey key;
    private final Cpus cpus;

    @Inject
    KmemPages(PageAllocator allocator, KmemAccountingPolicy policy, KmemStaticKey key, Cpus cpus) {
        this.allocator = allocator;
        this.cpus = cpus;
        this.policy = policy;
        this.key = key;
    }

    /** {@code alloc_kmem_pages(gfp, order)}: a charged block, or null. */
    @Override
    public Page allocKmemPages(int gfp, int order) {
        Page page = allocator.allocPages(gfp, order);
        if (page == null || policy.chargesInAllocator()) {
            return page;
        }
        if (key.isEnabled() && (gfp & __GFP_ACCOUNT) != 0 && policy.chargePage(cpus.current(), page, gfp, order) != 0) {
            allocator.freePages(page, order);
            return null;
        }
        return page;
    }

    /** {@code free_kmem_pages}: uncharge, then {@code __free_pages}. */
    @Override
    public void freeKmemPages(Page page, int order) {
        if (!policy.chargesInAllocator()) {
            policy.unchargePage(cpus.current(), page, order);
        }
        allocator.freePages(page, order);
    }
}
