package org.mmemu.core.alloc;

import com.google.inject.Binder;
import com.google.inject.multibindings.OptionalBinder;
import org.mmemu.core.page.Page;

/**
 * {@code alloc_kmem_pages} / {@code __free_kmem_pages} (4.6/4.7 mm/page_alloc.c): the calls with
 * which {@code kmalloc_order} and {@code __vmalloc_area_node} took pages charged to the current
 * memory cgroup when their gfp had {@code __GFP_ACCOUNT}, and gave them back uncharged. Commit
 * 4949148ad433 (4.8) moved the charge into the page allocator's own paths and the callers to
 * plain {@code alloc_pages} / {@code __free_pages}, which is what these calls do from then on.
 *
 * <p>memcg binds its own ({@link #binder}); without memcg they are the plain calls, as with
 * {@code CONFIG_MEMCG_KMEM=n} ({@link PlainKmemPages}).
 */
public interface KmemPageHelpers {
    /** {@code alloc_kmem_pages(gfp, order)}: a block of {@code 2^order} pages, charged if asked; or null. */
    Page allocKmemPages(int gfp, int order);

    /** {@code __free_kmem_pages(page, order)}: uncharged, then {@code __free_pages}. */
    void freeKmemPages(Page page, int order);

    /** The binding memcg sets ({@code setBinding()}); mm-core sets the plain default. */
    static OptionalBinder<KmemPageHelpers> binder(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, KmemPageHelpers.class);
    }
}
