package org.mmemu.core.alloc;

import org.mmemu.core.page.Page;

/**
 * Called at the end of the generic allocation path ({@code __alloc_pages}), where 4.8 put
 * {@code memcg_kmem_charge}. Runs only while {@link PageHooks#allocKey()} is on.
 */
@FunctionalInterface
public interface PageAllocHook {
    /**
     * @param page the new page (its head, for a compound page), refcount 1
     * @param gfp the caller's gfp mask
     * @param order the allocation order
     * @return false to fail the allocation: the allocator frees the page and returns null
     */
    boolean postAlloc(Page page, int gfp, int order);
}
