package org.mmemu.core.mm;

import com.google.inject.Inject;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.vmstat.PageStats;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * The reverse-map counting of mm/rmap.c for small pages: how mapping a page into a PTE moves
 * its {@code _mapcount} word and the {@code NR_FILE_MAPPED} / {@code NR_ANON_MAPPED} counters.
 *
 * <p>The word is moved with plain atomic arithmetic whatever it holds, as the kernel does: on
 * a word holding a page type (before 5.1 {@code vm_insert_page} let typed pages through) the
 * increment corrupts the type and the counters drift. See {@link org.mmemu.core.page.MapcountWord}.
 * The counters move through {@link PageStats}, so the page's memcg counts them too, drift
 * included ({@code __mod_lruvec_page_state}; 4.8's {@code mem_cgroup_inc_page_stat}).
 */
public final class Rmap {
    /** {@code PAGE_MAPPING_ANON}: bit 0 of {@code page->mapping} marks an anonymous page. */
    public static final long PAGE_MAPPING_ANON = 1;

    private final MemMap memMap;
    private final PageStats stats;

    @Inject
    public Rmap(MemMap memMap, PageStats stats) {
        this.memMap = memMap;
        this.stats = stats;
    }

    /** {@code PageAnon(page)}: tested on the compound head, like the kernel's. */
    public boolean pageAnon(Page page) {
        return isAnonMapping(CompoundHead.compoundHead(memMap, page));
    }

    /** Whether {@code head}'s mapping carries {@code PAGE_MAPPING_ANON}. */
    static boolean isAnonMapping(Page head) {
        return (head.mapping() & PAGE_MAPPING_ANON) != 0;
    }

    /**
     * {@code page_add_file_rmap(page, false)}: {@code atomic_inc_and_test(&_mapcount)}; only the
     * first mapping (-1 to 0) counts in {@code NR_FILE_MAPPED}.
     */
    public void pageAddFileRmap(Page page) {
        if (page.mapcountAddReturn(1) == 0) {
            stats.modLruvecPageState(page, VmStatItem.NR_FILE_MAPPED, 1);
        }
    }

    /**
     * {@code page_dup_rmap(page, false)}: one more mapping of a mapped page (fork), a plain
     * {@code atomic_inc(&_mapcount)}; no counter moves, the page is mapped already.
     */
    public void pageDupRmap(Page page) {
        page.mapcountAddReturn(1);
    }

    /**
     * {@code page_add_new_anon_rmap}: a fresh page becomes anonymous and mapped once
     * ({@code _mapcount} = 0, swap-backed, mapping = anon_vma | anon bit).
     */
    public void pageAddNewAnonRmap(Page page, long anonVma) {
        page.setFlag(PageFlags.PG_swapbacked);
        page.setMapcountWord(0);
        page.setMapping(anonVma | PAGE_MAPPING_ANON);
        stats.modLruvecPageState(page, VmStatItem.NR_ANON_MAPPED, 1);
    }

    /**
     * {@code page_remove_rmap(page, false)}: {@code atomic_add_negative(-1, &_mapcount)}; any
     * negative result, not only the last unmap, decrements the page's counter.
     */
    public void pageRemoveRmap(Page page) {
        boolean anon = pageAnon(page);
        if (page.mapcountAddReturn(-1) < 0) {
            VmStatItem item = anon ? VmStatItem.NR_ANON_MAPPED : VmStatItem.NR_FILE_MAPPED;
            stats.modLruvecPageState(page, item, -1);
        }
    }

    /**
     * {@code mm_counter_file}: shmem pages count apart from other file pages
     * ({@code PageSwapBacked}, tested on the compound head).
     */
    int mmCounterFile(Page page) {
        Page head = CompoundHead.compoundHead(memMap, page);
        return head.testFlag(PageFlags.PG_swapbacked) ? MmStruct.MM_SHMEMPAGES : MmStruct.MM_FILEPAGES;
    }

    /** {@code mm_counter}: the rss counter a mapped page is counted in. */
    int mmCounter(Page page) {
        return pageAnon(page) ? MmStruct.MM_ANONPAGES : mmCounterFile(page);
    }
}
