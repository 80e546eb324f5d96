package org.mmemu.core.mm;

import com.google.inject.Inject;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.vmstat.PageStats;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * {@code pgtable_pte_page_ctor} / {@code pgtable_pmd_page_ctor} / {@code pagetable_pud_ctor} and
 * their dtors: mark a page as a page table and count it in {@code NR_PAGETABLE}. The
 * {@code PageTable} type exists only from 4.18 (the bit encodings and 6.13's top byte), so with
 * an older encoding only the counter moves. The counter is a lruvec statistic
 * ({@code mod_lruvec_page_state}), so an accounted table also counts in its memcg. Architecture
 * allocators use it too.
 */
public final class PageTableCtor {
    private final PageTypes types;
    private final PageStats stats;

    @Inject
    public PageTableCtor(PageTypes types, PageStats stats) {
        this.types = types;
        this.stats = stats;
    }

    /** The constructor: {@code __SetPageTable} where the encoding has it, {@code NR_PAGETABLE++}. */
    public void ctor(Page page) {
        if (types.encoding().supports(PageType.TABLE)) {
            types.set(page, PageType.TABLE);
        }
        stats.modLruvecPageState(page, VmStatItem.NR_PAGETABLE, 1);
    }

    /** The destructor: {@code __ClearPageTable} where the encoding has it, {@code NR_PAGETABLE--}. */
    public void dtor(Page page) {
        if (types.encoding().supports(PageType.TABLE)) {
            types.clear(page, PageType.TABLE);
        }
        stats.modLruvecPageState(page, VmStatItem.NR_PAGETABLE, -1);
    }
}
