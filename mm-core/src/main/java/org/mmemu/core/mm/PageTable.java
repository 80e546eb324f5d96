package org.mmemu.core.mm;

import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * One page table as a {@link PageTableAllocator} hands it out: where it lives (a page and the
 * byte offset inside it, since an architecture may pack several tables into one page, as s390
 * packs two 2K PTE tables into 4K) and its entries.
 *
 * <p>A level-0 table holds PTE values ({@link Pte}); an upper table holds the tables below it.
 * The emulator keeps the lower tables as objects rather than physical addresses, because the
 * kernel finds them through the direct map and mmemu has no memory contents to look in; the
 * address an entry would hold is {@link Pte#tableEntry}. Entries are changed only by the
 * mm code, under the mm's page-table lock.
 */
public final class PageTable {
    private final Page page;
    private final int offset;
    private final int level;
    private final long[] ptes;
    private final PageTable[] tables;

    /**
     * @param page the page the table lives in
     * @param offset the table's byte offset in that page
     * @param level 0 for a PTE table, higher for the levels above
     * @param nrEntries the table's entries ({@code PTRS_PER_*})
     */
    public PageTable(Page page, int offset, int level, int nrEntries) {
        if (offset < 0 || offset >= MemMap.PAGE_SIZE || level < 0 || nrEntries <= 0) {
            throw new IllegalArgumentException("bad page table: offset " + offset + ", level "
                    + level + ", " + nrEntries + " entries");
        }
        this.page = page;
        this.offset = offset;
        this.level = level;
        this.ptes = level == 0 ? new long[nrEntries] : null;
        this.tables = level == 0 ? null : new PageTable[nrEntries];
    }

    /** The page the table lives in ({@code virt_to_page(table)}). */
    public Page page() {
        return page;
    }

    /** The table's byte offset within its page. */
    public int offset() {
        return offset;
    }

    /** 0 for a PTE table; the pgd has the geometry's top level. */
    public int level() {
        return level;
    }

    public int nrEntries() {
        return level == 0 ? ptes.length : tables.length;
    }

    /** {@code __pa(table)}. */
    public long physAddress() {
        return (page.pfn() << MemMap.PAGE_SHIFT) + offset;
    }

    /** The PTE at {@code index} of a level-0 table (0 when none). */
    public long pte(int index) {
        return ptes[index];
    }

    void setPte(int index, long pte) {
        ptes[index] = pte;
    }

    /** The table below entry {@code index} of an upper table, or null ({@code pmd_none}...). */
    public PageTable table(int index) {
        return tables[index];
    }

    void setTable(int index, PageTable table) {
        tables[index] = table;
    }

    /** Whether every entry is none. */
    public boolean isEmpty() {
        if (ptes != null) {
            for (long p : ptes) {
                if (p != 0) {
                    return false;
                }
            }
            return true;
        }
        for (PageTable t : tables) {
            if (t != null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "pgtable(level " + level + ", pfn 0x" + Long.toHexString(page.pfn()) + "+" + offset + ")";
    }
}
