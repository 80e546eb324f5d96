package org.mmemu.core.page;

import org.mmemu.core.sched.PerCpuPadding;

/**
 * An intrusive doubly linked list of pages threaded through {@code page->lru}, like a kernel
 * {@code list_head}: free lists, per-CPU lists, s390's pgtable_list. A page is on at most one
 * list at a time; the list allocates nothing per operation.
 *
 * <p>A per-CPU list's words are written on every allocation and free, so the words are padded
 * in front ({@link PerCpuPadding}) and, by the per-CPU subclass ({@code PerCpuPages}), behind.
 */
public class PageList extends PerCpuPadding {
    private final MemMap memMap;
    private int head = Page.NIL_LINK;
    private int tail = Page.NIL_LINK;
    private int count;

    public PageList(MemMap memMap) {
        this.memMap = memMap;
    }

    public boolean isEmpty() {
        return head == Page.NIL_LINK;
    }

    public int size() {
        return count;
    }

    /** The first page, or {@code null}. */
    public Page first() {
        return memMap.fromLink(head);
    }

    /** The page after {@code page} on this list, or {@code null}. */
    public Page next(Page page) {
        return memMap.fromLink(page.lruNext());
    }

    /** {@code list_add}. */
    public void addHead(Page page) {
        int link = MemMap.link(page);
        page.setLruPrev(Page.NIL_LINK);
        page.setLruNext(head);
        if (head == Page.NIL_LINK) {
            tail = link;
        } else {
            memMap.fromLink(head).setLruPrev(link);
        }
        head = link;
        count++;
    }

    /** {@code list_add_tail}. */
    public void addTail(Page page) {
        int link = MemMap.link(page);
        page.setLruNext(Page.NIL_LINK);
        page.setLruPrev(tail);
        if (tail == Page.NIL_LINK) {
            head = link;
        } else {
            memMap.fromLink(tail).setLruNext(link);
        }
        tail = link;
        count++;
    }

    /** {@code list_del}: the page must be on this list. */
    public void remove(Page page) {
        int prev = page.lruPrev();
        int next = page.lruNext();
        if (prev == Page.NIL_LINK) {
            head = next;
        } else {
            memMap.fromLink(prev).setLruNext(next);
        }
        if (next == Page.NIL_LINK) {
            tail = prev;
        } else {
            memMap.fromLink(next).setLruPrev(prev);
        }
        page.setLruNext(Page.NIL_LINK);
        page.setLruPrev(Page.NIL_LINK);
        count--;
    }

    /** The last page, or {@code null}. */
    public Page last() {
        return memMap.fromLink(tail);
    }

    /** Removes and returns the last page, or {@code null}. */
    public Page pollLast() {
        Page p = last();
        if (p != null) {
            remove(p);
        }
        return p;
    }

    /** Removes and returns the first page, or {@code null}. */
    public Page pollFirst() {
        Page p = first();
        if (p != null) {
            remove(p);
        }
        return p;
    }
}
