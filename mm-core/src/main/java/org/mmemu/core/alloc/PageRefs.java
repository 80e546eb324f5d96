package org.mmemu.core.alloc;

import com.google.inject.Inject;
import java.util.List;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageList;
import org.mmemu.core.page.PageTypes;

/**
 * Page reference counting (include/linux/mm.h, mm/swap.c): {@code get_page}, {@code put_page},
 * {@code release_pages}. Every operation acts on the compound head, so a reference taken or
 * dropped through any tail page counts on the whole compound page.
 *
 * <p>The last {@code put_page} runs the release hooks (the {@code __page_cache_release} /
 * {@code mem_cgroup_uncharge} step) before freeing; {@link PageAllocator#freePages} does not,
 * which is the difference between the two free paths that 4.8's generic charging closed.
 */
public final class PageRefs {
    private final MemMap memMap;
    private final PageAllocator allocator;
    private final PageTypes types;

    @Inject
    public PageRefs(PageAllocator allocator, PageTypes types) {
        this.memMap = allocator.memMap();
        this.allocator = allocator;
        this.types = types;
    }

    /** {@code page_count}: the head's refcount. */
    public int pageCount(Page page) {
        return CompoundHead.compoundHead(memMap, page).refcount();
    }

    /**
     * {@code get_page}: taking a reference to a free page, or to one whose count has wrapped
     * close to overflow, is a kernel bug ({@code page_ref_zero_or_close_to_overflow}: the count
     * is in -127..0).
     */
    public void getPage(Page page) {
        Page head = CompoundHead.compoundHead(memMap, page);
        if (Integer.compareUnsigned(head.refcount() + 127, 127) <= 0) {
            throw types.bug(head, "page_ref_zero_or_close_to_overflow(page)");
        }
        head.refInc();
    }

    /** {@code try_get_page} / {@code get_page_unless_zero}: false if the page is free. */
    public boolean tryGetPage(Page page) {
        return CompoundHead.compoundHead(memMap, page).refIncNotZero();
    }

    /** {@code put_page}: drops a reference; the last one releases and frees the page. */
    public void putPage(Page page) {
        Page head = CompoundHead.compoundHead(memMap, page);
        if (allocator.putPageTestzero(head)) {
            releaseLastReference(head);
        }
    }

    /**
     * {@code release_pages}: drops one reference from each page. A compound page that reaches
     * zero is released and freed at once; the single pages that reach zero are gathered on a
     * list threaded through their {@code lru}, then released together
     * ({@code mem_cgroup_uncharge_list}) and freed together ({@code free_unref_page_list}).
     */
    public void releasePages(List<Page> pages) {
        PageList toFree = new PageList(memMap);
        for (int i = 0; i < pages.size(); i++) {
            Page head = CompoundHead.compoundHead(memMap, pages.get(i));
            if (!allocator.putPageTestzero(head)) {
                continue;
            }
            if (head.testFlag(PageFlags.PG_head)) {
                releaseLastReference(head);
            } else {
                toFree.addTail(head);
            }
        }
        PageHooks hooks = allocator.hooks();
        if (hooks.releaseKey().isEnabled()) {
            for (Page p = toFree.first(); p != null; p = toFree.next(p)) {
                hooks.runRelease(p);
            }
        }
        Page p;
        while ((p = toFree.pollFirst()) != null) {
            allocator.freeUnrefPage(p);
        }
    }

    /** {@code __put_page}: compound pages by their order, single pages to the per-CPU list. */
    private void releaseLastReference(Page head) {
        PageHooks hooks = allocator.hooks();
        if (hooks.releaseKey().isEnabled()) {
            hooks.runRelease(head);
        }
        if (head.testFlag(PageFlags.PG_head)) {
            allocator.freePagesOk(head, CompoundHead.compoundOrder(memMap, head));
        } else {
            allocator.freeUnrefPage(head);
        }
    }
}
