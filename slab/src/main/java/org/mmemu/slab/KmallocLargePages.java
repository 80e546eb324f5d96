package org.mmemu.slab;

import org.mmemu.core.alloc.KmemPageHelpers;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.Page;

/**
 * How {@code kmalloc_order} gets its compound block and {@code kfree} gives it back: through
 * the explicit helpers {@code alloc_kmem_pages} / {@code __free_kmem_pages} until 4.7 (they
 * charge an {@code __GFP_ACCOUNT} block themselves; {@link KmemPageHelpers}, memcg's when memcg
 * is in the machine), with plain {@code alloc_pages} / {@code __free_pages} from 4.8 (commit
 * 4949148ad433: the allocator's own hooks charge).
 */
public interface KmallocLargePages {
    /** The name the era table selects. */
    String policyName();

    /** The block of {@code 2^order} pages, or null. */
    Page alloc(PageAllocator allocator, KmemPageHelpers kmemPages, int gfp, int order);

    /** Frees the block. */
    void free(PageAllocator allocator, KmemPageHelpers kmemPages, Page head, int order);

    /** The two ways. */
    enum Eras implements KmallocLargePages {
        /** 4.6 and 4.7: {@code alloc_kmem_pages}. */
        KMEM_PAGES("kmalloclarge.KmemPages") {
            @Override
            public Page alloc(PageAllocator allocator, KmemPageHelpers kmemPages, int gfp, int order) {
                return kmemPages.allocKmemPages(gfp, order);
            }

            @Override
            public void free(PageAllocator allocator, KmemPageHelpers kmemPages, Page head, int order) {
                kmemPages.freeKmemPages(head, order);
            }
        },
        /** 4.8 on: {@code alloc_pages}. */
        ALLOC_PAGES("kmalloclarge.AllocPages") {
            @Override
            public Page alloc(PageAllocator allocator, KmemPageHelpers kmemPages, int gfp, int order) {
                return allocator.allocPages(gfp, order);
            }

            @Override
            public void free(PageAllocator allocator, KmemPageHelpers kmemPages, Page head, int order) {
                allocator.freePages(head, order);
            }
        };

        private final String policyName;

        Eras(String policyName) {
            this.policyName = policyName;
        }

        @Override
        public String policyName() {
            return policyName;
        }
    }
}
