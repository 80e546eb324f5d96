package org.mmemu.s390;

import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageList;

/**
 * The s390 part of an mm ({@code mm->context}, arch/s390/include/asm/mmu.h): the
 * {@code pgtable_list} of pages with a free 2K half, threaded through their {@code lru}, and
 * {@code alloc_pgste}. The allocator sets it into {@link org.mmemu.core.mm.MmStruct#archContext()}
 * when it allocates the pgd ({@code init_new_context}). The list is guarded by the context's
 * monitor ({@code mm->context.lock}).
 */
public final class S390MmContext {
    private final PageList pgtableList;
    private final boolean allocPgste;

    S390MmContext(MemMap memMap, boolean allocPgste) {
        this.pgtableList = new PageList(memMap);
        this.allocPgste = allocPgste;
    }

    /**
     * {@code mm_alloc_pgste}: the mm is a KVM guest's, so each PTE table takes a whole 4K page
     * (the upper half holds the PGSTEs).
     */
    public boolean allocPgste() {
        return allocPgste;
    }

    /** The pages on {@code pgtable_list}, first to last (a snapshot). */
    public synchronized List<Page> pgtableList() {
        List<Page> pages = new ArrayList<>(pgtableList.size());
        for (Page p = pgtableList.first(); p != null; p = pgtableList.next(p)) {
            pages.add(p);
        }
        return pages;
    }

    /** The list itself; callers hold the context's monitor. */
    PageList list() {
        return pgtableList;
    }
}
