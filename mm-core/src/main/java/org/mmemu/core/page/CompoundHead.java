package org.mmemu.core.page;

/**
 * How a compound page is laid over its pages (4.8+, include/linux/page-flags.h and mm.h).
 *
 * <pre>
 *  head      PG_head set; refcount, mapcount and memcg_data of the whole page
 *  tail 1    lru.next = compound_head (head link | 1); lru.prev = dtor &lt;&lt; 8 | order;
 *            mapping = compound_mapcount (starts at -1)
 *  tail 2..  lru.next = compound_head; mapping = TAIL_MAPPING; refcount 0
 * </pre>
 */
public final class CompoundHead {
    /** {@code TAIL_MAPPING}: the poison every tail page's mapping holds. */
    public static final long TAIL_MAPPING = 0xdead000000000400L;
    /** {@code COMPOUND_PAGE_DTOR}: the destructor of ordinary compound pages. */
    public static final int COMPOUND_PAGE_DTOR = 1;

    private CompoundHead() {
    }

    /** {@code PageTail}: bit 0 of compound_head. */
    public static boolean isTail(Page page) {
        return (page.lruNext() & 1) != 0;
    }

    /** {@code PageCompound}: a head or a tail. */
    public static boolean isCompound(Page page) {
        return page.testFlag(PageFlags.PG_head) || isTail(page);
    }

    /** {@code compound_head}: the head for a tail page, the page itself otherwise. */
    public static Page compoundHead(MemMap memMap, Page page) {
        int word = page.lruNext();
        return (word & 1) != 0 ? memMap.page(word >>> 1) : page;
    }

    /** {@code set_compound_head}. */
    public static void setCompoundHead(Page tail, Page head) {
        tail.setLruNext(MemMap.link(head) | 1);
    }

    /** {@code clear_compound_head}. */
    public static void clearCompoundHead(Page tail) {
        tail.setLruNext(Page.NIL_LINK);
    }

    /** {@code compound_order}: 0 for a page that is not a compound head. */
    public static int compoundOrder(MemMap memMap, Page head) {
        if (!head.testFlag(PageFlags.PG_head)) {
            return 0;
        }
        return firstTail(memMap, head).lruPrev() & 0xff;
    }

    /** {@code compound_mapcount}: the whole-page map count (0 when unmapped). */
    public static int compoundMapcount(MemMap memMap, Page head) {
        if (!head.testFlag(PageFlags.PG_head)) {
            return 0;
        }
        return (int) firstTail(memMap, head).mapping() + 1;
    }

    /** Writes order and destructor into the first tail, as prep_compound_page does. */
    public static void setOrderAndDtor(Page firstTail, int order, int dtor) {
        firstTail.setLruPrev(dtor << 8 | order);
    }

    private static Page firstTail(MemMap memMap, Page head) {
        return memMap.page((int) head.pfn() + 1);
    }
}
