package org.mmemu.core.alloc;

import com.google.inject.Inject;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;

/**
 * The checks a page must pass to enter or leave the allocator ({@code page_expected_state},
 * {@code page_bad_reason}, {@code free_tail_pages_check}; mm/page_alloc.c of 5.10). A failing
 * page is handed to {@link BadPageReporter} and never reaches a free list. The reasons given for
 * a page leaving the allocator ({@code check_new_page_bad}) follow the era's
 * {@link PageAllocTexts}.
 */
public final class FreePageChecks {
    /** {@code PAGE_MAPPING_FLAGS}: the anon and movable tag bits of page->mapping. */
    public static final long PAGE_MAPPING_FLAGS = 3;

    private static final String FREE_REFCOUNT_REASON = "nonzero _refcount";
    private static final String FREE_FLAGS_REASON = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";

    private final MemMap memMap;
    private final BadPageReporter reporter;
    private final String newRefcountReason;
    private final String newFlagsReason;

    @Inject
    public FreePageChecks(MemMap memMap, BadPageReporter reporter, PageAllocTexts texts) {
        this.memMap = memMap;
        this.reporter = reporter;
        this.newRefcountReason = texts.newPageRefcountReason();
        this.newFlagsReason = texts.newPageFlagsReason();
    }

    /**
     * {@code page_bad_reason}: each later test overwrites an earlier one, so the last failing
     * reason is the one reported; null when the page is as expected. The refcount and flags
     * reasons are the caller's, since they depend on the direction and the era.
     */
    private static String badReason(Page page, long flagsMask, String refcountReason,
                                    String flagsReason) {
        String reason = null;
        if (page.mapcountWord() != MapcountWord.UNMAPPED) {
            reason = "nonzero mapcount";
        }
        if (page.mapping() != 0) {
            reason = "non-NULL mapping";
        }
        if (page.refcount() != 0) {
            reason = refcountReason;
        }
        if ((page.flags() & flagsMask) != 0) {
            reason = flagsReason;
        }
        if (page.memcgData() != 0) {
            reason = "page still charged to cgroup";
        }
        return reason;
    }

    /** {@code check_free_page}: true (and reported) if the page is bad. */
    public boolean checkFreePage(Page page) {
        return report(page, PageFlags.PAGE_FLAGS_CHECK_AT_FREE, FREE_REFCOUNT_REASON,
                FREE_FLAGS_REASON);
    }

    /** {@code check_new_page}: true (and reported) if a page taken from a free list is bad. */
    public boolean checkNewPage(Page page) {
        return report(page, PageFlags.PAGE_FLAGS_CHECK_AT_PREP, newRefcountReason, newFlagsReason);
    }

    private boolean report(Page page, long mask, String refcountReason, String flagsReason) {
        String reason = badReason(page, mask, refcountReason, flagsReason);
        if (reason == null) {
            return false;
        }
        reporter.badPage(page, reason);
        return true;
    }

    /**
     * {@code free_tail_pages_check}: the compound bookkeeping of tail {@code index} must be
     * intact; it is cleared either way. True (and reported) if bad.
     */
    public boolean freeTailPagesCheck(Page head, Page tail, int index) {
        String reason = null;
        if (index == 1) {
            if ((int) tail.mapping() + 1 != 0) {
                reason = "nonzero compound_mapcount";
            }
        } else if (index > 2 && tail.mapping() != CompoundHead.TAIL_MAPPING) {
            reason = "corrupted mapping in tail page";
        }
        if (reason == null && !CompoundHead.isTail(tail)) {
            reason = "PageTail not set";
        }
        if (reason == null && CompoundHead.compoundHead(memMap, tail) != head) {
            reason = "compound_head not consistent";
        }
        if (reason != null) {
            reporter.badPage(tail, reason);
        }
        tail.setMapping(0);
        CompoundHead.clearCompoundHead(tail);
        tail.setLruPrev(Page.NIL_LINK);
        return reason != null;
    }
}
