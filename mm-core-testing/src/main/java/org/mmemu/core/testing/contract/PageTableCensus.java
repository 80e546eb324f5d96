package org.mmemu.core.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.core.mm.Pte;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * What an mm's page tables hold, counted by walking them from the pgd, with every table and
 * PTE checked against the vmas on the way: a table must overlap a vma (no table is kept for
 * unmapped space) and a PTE must lie in one.
 *
 * <p>The counts hold for any page-table binding: tables are counted per level, and the pages
 * they occupy per distinct page block, so that two tables sharing a page (s390's 2K halves)
 * count once and a table larger than a page (s390's 16K CRST tables) counts all its pages. Once
 * no table waits for an RCU grace period, the pages an mm uses for tables are exactly
 * {@link #pages()}, and {@code NR_PAGETABLE} counts {@link #pageBlocks()}: each constructed
 * page-table page (or block) below the pgd once.
 */
public final class PageTableCensus {
    private final MmStruct mm;
    private final PageTableGeometry geo;
    private final MemMap memMap;
    private final int[] tables;
    private final List<Set<Long>> blocks = new ArrayList<>();
    /** Driver-vma PTEs per mapped pfn: the test oracle's own tally, not page state. */
    private final Map<Long, Integer> fileMaps = new HashMap<>();
    private long anonPtes;
    private long filePtes;

    private PageTableCensus(MmStruct mm, PageTableGeometry geo, MemMap memMap) {
        this.mm = mm;
        this.geo = geo;
        this.memMap = memMap;
        this.tables = new int[geo.levels()];
        for (int i = 0; i < geo.levels(); i++) {
            blocks.add(new HashSet<>());
        }
    }

    /** Walks {@code mm}'s tables (under no lock: call it while nothing else touches the mm). */
    public static PageTableCensus of(MmStruct mm, PageTableGeometry geo, MemMap memMap) {
        PageTableCensus c = new PageTableCensus(mm, geo, memMap);
        c.count(mm.pgd());
        c.walk(mm.pgd(), 0);
        return c;
    }

    /** The pages one table of {@code level} occupies (a smaller table shares its page). */
    public static long pagesPerTable(PageTableGeometry geo, int level) {
        return Math.max(1, geo.tableBytes(level) / MemMap.PAGE_SIZE);
    }

    /** The tables of {@code level} (the pgd is the one table of the top level). */
    public int tables(int level) {
        return tables[level];
    }

    /** The distinct page blocks the tables below the pgd live in: what NR_PAGETABLE counts. */
    public int pageBlocks() {
        int n = 0;
        for (int level = 0; level < geo.top(); level++) {
            n += blocks.get(level).size();
        }
        return n;
    }

    /** The pages every table of the mm occupies, the pgd's included. */
    public long pages() {
        long n = 0;
        for (int level = 0; level <= geo.top(); level++) {
            n += blocks.get(level).size() * pagesPerTable(geo, level);
        }
        return n;
    }

    /** {@code mm_pgtables_bytes}: the bytes of the tables below the pgd. */
    public long pgtablesBytes() {
        long n = 0;
        for (int level = 0; level < geo.top(); level++) {
            n += tables[level] * geo.tableBytes(level);
        }
        return n;
    }

    /** PTEs in anonymous vmas (each maps a page of its own). */
    public long anonPtes() {
        return anonPtes;
    }

    /** PTEs in driver vmas. */
    public long filePtes() {
        return filePtes;
    }

    /** How many PTEs in driver vmas map {@code page}. */
    public int fileMaps(Page page) {
        return fileMaps.getOrDefault(page.pfn(), 0);
    }

    /** The distinct pages driver vmas map. */
    public int fileMappedPages() {
        return fileMaps.size();
    }

    private void count(PageTable table) {
        tables[table.level()]++;
        blocks.get(table.level()).add(table.page().pfn());
    }

    private void walk(PageTable table, long base) {
        int level = table.level();
        for (int i = 0; i < table.nrEntries(); i++) {
            long addr = base + ((long) i << geo.shift(level));
            if (level == 0) {
                long pte = table.pte(i);
                if (pte != 0) {
                    pte(addr, pte);
                }
                continue;
            }
            PageTable child = table.table(i);
            if (child != null) {
                assertThat(child.level()).as("the table below %s", table).isEqualTo(level - 1);
                long span = geo.tableSpan(level - 1);
                assertThat(overlapsVma(addr, addr + span))
                        .as("%s at 0x%x maps only unmapped space", child, addr).isTrue();
                count(child);
                walk(child, addr);
            }
        }
    }

    private void pte(long addr, long pte) {
        Vma vma = mm.vmaLookup(addr);
        assertThat(vma).as("pte at 0x%x outside every vma", addr).isNotNull();
        if (vma.isAnonymous()) {
            anonPtes++;
        } else {
            filePtes++;
            fileMaps.merge(memMap.pfnToPage(Pte.pfn(pte)).pfn(), 1, Integer::sum);
        }
    }

    private boolean overlapsVma(long start, long end) {
        Vma vma = mm.findVma(start);
        return vma != null && vma.start() < end;
    }
}
