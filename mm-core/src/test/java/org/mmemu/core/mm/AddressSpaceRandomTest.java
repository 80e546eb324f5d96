package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.Seeded;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * A seeded random walk of mmap, munmap, anonymous faults and driver inserts over a window that
 * straddles a PUD boundary. After every step the page tables are exactly what the mappings
 * need (every table overlaps a vma, every PTE lies in one), and every counter matches them.
 */
class AddressSpaceRandomTest {
    private static final long PAGE = MemMap.PAGE_SIZE;
    private static final long WINDOW = (1L << 30) - (4L << 20);
    private static final int SLOTS = 2048;
    private static final int STEPS = 3000;

    private Machine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private VmStat vmStat;
    private MmStruct mm;
    private final List<Page> driverPages = new ArrayList<>();

    @Test
    void pageTablesAndCountersStayExact() {
        Seeded.run(0x6d6d5f766dL, rnd -> {
            m = Machine.boot();
            spaces = m.injector.getInstance(AddressSpaces.class);
            memory = m.injector.getInstance(MemoryMapping.class);
            vmStat = m.injector.getInstance(VmStat.class);
            mm = spaces.mmAlloc();
            for (int step = 0; step < STEPS; step++) {
                step(rnd);
                checkInvariants("step " + step);
            }
            spaces.mmput(mm);
            driverPages.forEach(p -> assertThat(p.refcount()).isEqualTo(1));
            driverPages.forEach(m.alloc::freePage);
            assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isZero();
            assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
            assertThat(vmStat.read(VmStatItem.NR_ANON_MAPPED)).isZero();
            assertThat(m.leakedPages()).isZero();
        });
    }

    private void step(SplittableRandom rnd) {
        List<Vma> vmas = mm.vmas();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                long start = WINDOW + rnd.nextInt(SLOTS) * PAGE;
                long len = Math.min(1 + rnd.nextInt(256), SLOTS - (start - WINDOW) / PAGE) * PAGE;
                long flags = VM_READ | VM_WRITE | (rnd.nextBoolean() ? VM_SHARED : 0);
                long got = rnd.nextBoolean() ? spaces.mmapAnonymous(mm, start, len, flags)
                        : spaces.mmapSpecial(mm, start, len, flags);
                assertThat(got).isIn(start, (long) Errno.EEXIST.negative());
            }
            case 1 -> {
                long start = WINDOW + rnd.nextInt(SLOTS) * PAGE;
                assertThat(spaces.munmap(mm, start, (1 + rnd.nextInt(512)) * PAGE)).isZero();
            }
            case 2, 3 -> {
                if (vmas.isEmpty()) {
                    return;
                }
                Vma vma = vmas.get(rnd.nextInt(vmas.size()));
                long addr = vma.start() + rnd.nextLong((vma.end() - vma.start()) / PAGE) * PAGE;
                if (vma.isAnonymous()) {
                    assertThat(memory.handleAnonFault(vma, addr)).isZero();
                } else {
                    insert(rnd, vma, addr);
                }
            }
            default -> {
                if (!driverPages.isEmpty() && rnd.nextInt(4) == 0) {
                    Page p = driverPages.remove(rnd.nextInt(driverPages.size()));
                    if (p.refcount() == 1) {
                        m.alloc.freePage(p);
                    } else {
                        driverPages.add(p);
                    }
                }
            }
        }
    }

    private void insert(SplittableRandom rnd, Vma vma, long addr) {
        boolean reuse = !driverPages.isEmpty() && rnd.nextBoolean();
        Page page = reuse ? driverPages.get(rnd.nextInt(driverPages.size())) : m.alloc.allocPage(GFP_KERNEL);
        int ret = memory.vmInsertPage(vma, addr, page);
        assertThat(ret).isIn(0, Errno.EBUSY.negative());
        if (!reuse) {
            if (ret == 0) {
                driverPages.add(page);
            } else {
                m.alloc.freePage(page);
            }
        }
    }

    private void checkInvariants(String where) {
        Census c = new Census();
        c.walk(mm.pgd(), memory.geometry().top(), 0);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as(where + ": NR_PAGETABLE").isEqualTo(c.tables);
        assertThat(mm.pgtablesBytes()).as(where + ": pgtables_bytes").isEqualTo(c.tables * 4096L);
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).as(where + ": anon rss").isEqualTo(c.anon);
        assertThat(vmStat.read(VmStatItem.NR_ANON_MAPPED)).as(where).isEqualTo(c.anon);
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).as(where + ": file rss").isEqualTo(c.file);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).as(where).isEqualTo(c.maps.size());
        for (Page p : driverPages) {
            int maps = c.maps.getOrDefault(p, 0);
            assertThat(p.refcount()).as(where + ": refcount of " + p).isEqualTo(1 + maps);
            assertThat(p.mapcountWord()).as(where + ": _mapcount of " + p).isEqualTo(maps - 1);
        }
    }

    /** Counts what the page tables hold, checking each table and PTE against the vmas. */
    private final class Census {
        int tables;
        long anon;
        long file;
        final Map<Page, Integer> maps = new HashMap<>();

        void walk(PageTable table, int level, long base) {
            PageTableGeometry geo = memory.geometry();
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
                    tables++;
                    long span = geo.tableSpan(level - 1);
                    assertThat(overlapsVma(addr, addr + span)).as("%s maps only unmapped space", child).isTrue();
                    walk(child, level - 1, addr);
                }
            }
        }

        private void pte(long addr, long pte) {
            Vma vma = mm.vmaLookup(addr);
            assertThat(vma).as("pte at %x outside every vma", addr).isNotNull();
            Page page = m.memMap.pfnToPage(Pte.pfn(pte));
            if (vma.isAnonymous()) {
                anon++;
            } else {
                file++;
                maps.merge(page, 1, Integer::sum);
            }
        }

        private boolean overlapsVma(long start, long end) {
            Vma vma = mm.findVma(start);
            return vma != null && vma.start() < end;
        }
    }
}
