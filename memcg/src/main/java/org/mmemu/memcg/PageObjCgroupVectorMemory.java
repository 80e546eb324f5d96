package org.mmemu.memcg;

import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * The default {@link ObjCgroupVectorMemory} while no slab allocator is bound: each vector takes
 * {@code get_order(size)} zeroed pages from the page allocator (what {@code kmalloc_large}
 * would do), so a vector costs a page where the kernel's kmalloc would take a 256-byte object
 * for a 32-object slab. The pages are not charged.
 */
public final class PageObjCgroupVectorMemory implements ObjCgroupVectorMemory {
    private final PageAllocator allocator;
    private final MemMap memMap;

    @Inject
    public PageObjCgroupVectorMemory(PageAllocator allocator) {
        this.allocator = allocator;
        this.memMap = allocator.memMap();
    }

    @Override
    public long kcalloc(int size, int gfp) {
        Page page = allocator.allocPages(gfp | __GFP_ZERO, order(size));
        return page == null ? 0 : MemMap.pageAddress(page);
    }

    @Override
    public void kfree(long address, int size) {
        allocator.freePages(memMap.virtToPage(address), order(size));
    }

    /** {@code get_order(size)}. */
    private static int order(int size) {
        return MemcgCharger.orderOf((size + MemMap.PAGE_SIZE - 1) >>> MemMap.PAGE_SHIFT);
    }
}
