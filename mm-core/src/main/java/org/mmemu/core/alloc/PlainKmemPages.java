package org.mmemu.core.alloc;

import com.google.inject.Inject;
import org.mmemu.core.page.Page;

/** {@link KmemPageHelpers} of a machine without memcg: {@code alloc_pages} and {@code __free_pages}. */
public final class PlainKmemPages implements KmemPageHelpers {
    private final PageAllocator allocator;

    @Inject
    PlainKmemPages(PageAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public Page allocKmemPages(int gfp, int order) {
        return allocator.allocPages(gfp, order);
    }

    @Override
    public void freeKmemPages(Page page, int order) {
        allocator.freePages(page, order);
    }
}
