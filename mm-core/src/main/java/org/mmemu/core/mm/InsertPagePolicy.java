package org.mmemu.core.mm;

import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;

/**
 * Which pages {@code vm_insert_page} refuses to map with {@code -EINVAL}: a policy chosen per
 * era ({@code insert_page} until 5.0, {@code validate_page_before_insert} from 5.1).
 *
 * <pre>
 *  policy                     eras   refused                         what a typed page does
 *  insertpage.AnonOnly        -5.0   PageAnon                        mapped: _mapcount corrupted
 *  insertpage.AnonSlabTyped   5.1-   PageAnon, PageSlab, typed       refused, left untouched
 * </pre>
 *
 * Commit 0ee930e6cafa ("mm/memory.c: prevent mapping typed pages to userspace") made the change.
 */
public interface InsertPagePolicy {
    /** The policy's dotted name. */
    String policyName();

    /**
     * Whether {@code page} may not be mapped.
     *
     * @param page the page to insert
     * @param head its compound head (PageAnon and PageSlab are tested there)
     * @param types the machine's page-type helpers
     */
    boolean refuses(Page page, Page head, PageTypes types);

    /** The rules the kernel has had. */
    enum Rules implements InsertPagePolicy {
        /** Up to 5.0: only anonymous pages are refused. */
        ANON_ONLY("insertpage.AnonOnly") {
            @Override
            public boolean refuses(Page page, Page head, PageTypes types) {
                return Rmap.isAnonMapping(head);
            }
        },
        /** 5.1 and later: anonymous, slab and typed pages are refused. */
        ANON_SLAB_TYPED("insertpage.AnonSlabTyped") {
            @Override
            public boolean refuses(Page page, Page head, PageTypes types) {
                boolean slab = head.testFlag(PageFlags.PG_slab) || types.has(head, PageType.SLAB);
                return Rmap.isAnonMapping(head) || slab || types.hasAnyType(page);
            }
        };

        private final String policyName;

        Rules(String policyName) {
            this.policyName = policyName;
        }

        @Override
        public String policyName() {
            return policyName;
        }
    }
}
