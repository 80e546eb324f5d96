package org.mmemu.slab;

import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * A cache's partial slabs ({@code struct kmem_cache_node}), guarded by the node's
 * {@code list_lock}: the monitor of this object. Callers hold it for every method.
 *
 * <p>The list runs through each slab page's {@code lru.next} word, singly linked, as the
 * kernel's per-CPU partial list runs through {@code page->next}: the page's {@code lru.prev}
 * word holds the slab's free list ({@link SlabPages#freelist}), because the emulated page has no
 * {@code index} word, where the kernel keeps {@code freelist}. Taking the first slab is O(1);
 * removing one from the middle (a slab that became empty) walks the list.
 */
final class KmemCacheNode {
    private final MemMap memMap;
    private int head = Page.NIL_LINK;
    private int tail = Page.NIL_LINK;
    /** {@code n->nr_partial}. */
    private int nrPartial;
    /** {@code n->nr_slabs}: every slab of the cache, partial, full or a CPU's. */
    private long nrSlabs;

    KmemCacheNode(MemMap memMap) {
        this.memMap = memMap;
    }

    int nrPartial() {
        return nrPartial;
    }

    long nrSlabs() {
        return nrSlabs;
    }

    void incSlabs() {
        nrSlabs++;
    }

    void decSlabs() {
        nrSlabs--;
    }

    /** The first partial slab, or null. */
    Page first() {
        return memMap.fromLink(head);
    }

    /** The partial slab after {@code page}, or null. */
    Page next(Page page) {
        return memMap.fromLink(page.lruNext());
    }

    /** {@code add_partial(n, page, DEACTIVATE_TO_TAIL)}. */
    void addTail(Page page) {
        page.setLruNext(Page.NIL_LINK);
        int link = MemMap.link(page);
        if (tail == Page.NIL_LINK) {
            head = link;
        } else {
            memMap.fromLink(tail).setLruNext(link);
        }
        tail = link;
        nrPartial++;
    }

    /** {@code add_partial(n, page, DEACTIVATE_TO_HEAD)}. */
    void addHead(Page page) {
        int link = MemMap.link(page);
        page.setLruNext(head);
        head = link;
        if (tail == Page.NIL_LINK) {
            tail = link;
        }
        nrPartial++;
    }

    /** {@code remove_partial}: unlinks {@code page}, which must be on the list. */
    void remove(Page page) {
        int link = MemMap.link(page);
        Page prev = null;
        for (int l = head; l != link; l = prev.lruNext()) {
            if (l == Page.NIL_LINK) {
                throw new IllegalStateException(page + " is not on the partial list");
            }
            prev = memMap.fromLink(l);
        }
        int after = page.lruNext();
        if (prev == null) {
            head = after;
        } else {
            prev.setLruNext(after);
        }
        if (tail == link) {
            tail = prev == null ? Page.NIL_LINK : MemMap.link(prev);
        }
        page.setLruNext(Page.NIL_LINK);
        nrPartial--;
    }
}
