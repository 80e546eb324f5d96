package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.PageType;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * Page tables come and go with the mappings that need them: exact page counts and
 * {@code NR_PAGETABLE} under the generic (x86-64) allocator.
 */
class PageTableLifecycleTest {
    private static final long PAGE = MemMap.PAGE_SIZE;
    /** The span of one PTE table (PMD_SIZE). */
    private static final long PMD_SIZE = 2L << 20;
    /** The span of one PMD table (PUD_SIZE). */
    private static final long PUD_SIZE = 1L << 30;

    private Machine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private VmStat vmStat;
    private long freeAtBoot;

    @BeforeEach
    void boot() {
        m = Machine.boot();
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
        vmStat = m.injector.getInstance(VmStat.class);
        freeAtBoot = free();
    }

    @AfterEach
    void nothingLeaked() {
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(vmStat.read(VmStatItem.NR_ANON_MAPPED)).isZero();
        assertThat(m.log.dmesg()).doesNotContain("BUG");
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void mmAllocTakesOnePageForThePgd() {
        MmStruct mm = spaces.mmAlloc();

        assertThat(used()).isEqualTo(1);
        assertThat(mm.pgd().level()).isEqualTo(3);
        assertThat(mm.pgtablesBytes()).isZero();
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as("the pgd is not constructed").isZero();

        spaces.mmput(mm);
        assertThat(used()).isZero();
    }

    @Test
    void firstFaultBuildsThreeTablesAndMunmapFreesThem() {
        MmStruct mm = spaces.mmAlloc();
        Vma vma = anon(mm, 0x400000, PAGE);

        assertThat(memory.handleAnonFault(vma, 0x400000)).isZero();

        // pgd + pud + pmd + pte tables + the anonymous page.
        assertThat(used()).isEqualTo(5);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(3);
        assertThat(mm.pgtablesBytes()).isEqualTo(3 * 4096);
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(1);
        assertThat(vmStat.read(VmStatItem.NR_ANON_MAPPED)).isEqualTo(1);

        assertThat(spaces.munmap(mm, 0x400000, PAGE)).isZero();

        assertThat(used()).as("only the pgd is left").isEqualTo(1);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(mm.pgtablesBytes()).isZero();
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isZero();
        assertThat(mm.mapCount()).isZero();
        spaces.mmput(mm);
    }

    @Test
    void pageTablesCarryThePageTableTypeWhileInUse() {
        MmStruct mm = spaces.mmAlloc();
        Vma vma = anon(mm, 0x400000, PAGE);
        memory.handleAnonFault(vma, 0x400000);

        PageTable pud = mm.pgd().table(0);
        PageTable pmd = pud.table(0);
        PageTable pte = pmd.table(2);
        assertThat(pte.level()).isZero();
        assertThat(m.types.has(pte.page(), PageType.TABLE)).isTrue();
        assertThat(m.types.has(pmd.page(), PageType.TABLE)).isTrue();
        assertThat(m.types.has(pud.page(), PageType.TABLE)).isTrue();
        assertThat(m.types.hasAnyType(mm.pgd().page())).isFalse();
        assertThat(memory.followPage(vma, 0x400000).pfn()).isEqualTo(Pte.pfn(pte.pte(0)));

        spaces.mmput(mm);
    }

    @Test
    void aRangeOverThreePteTablesNeedsThreeOfThemUnderOnePmd() {
        MmStruct mm = spaces.mmAlloc();
        long start = 0x400000;
        Vma vma = anon(mm, start, 2 * PMD_SIZE + PAGE);
        for (long a = start; a < vma.end(); a += PAGE) {
            assertThat(memory.handleAnonFault(vma, a)).isZero();
        }

        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(5); // pud, pmd, 3 pte
        assertThat(used()).isEqualTo(1 + 5 + 1025);
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(1025);

        spaces.munmap(mm, start, 2 * PMD_SIZE + PAGE);
        assertThat(used()).isEqualTo(1);
        spaces.mmput(mm);
    }

    @Test
    void aPteTableSharedWithANeighbourStaysUntilBothAreGone() {
        MmStruct mm = spaces.mmAlloc();
        Vma a = anon(mm, 0x400000, PAGE);
        Vma b = anon(mm, 0x401000, PAGE);
        memory.handleAnonFault(a, 0x400000);
        memory.handleAnonFault(b, 0x401000);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(3);

        spaces.munmap(mm, 0x400000, PAGE);

        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as("b still needs every table").isEqualTo(3);
        assertThat(used()).isEqualTo(1 + 3 + 1);

        spaces.munmap(mm, 0x401000, PAGE);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(used()).isEqualTo(1);
        spaces.mmput(mm);
    }

    @Test
    void neighbourInTheNextPmdEntryKeepsThePmdTableButNotThePteTable() {
        MmStruct mm = spaces.mmAlloc();
        Vma a = anon(mm, 0x400000, PAGE);
        Vma b = anon(mm, 0x400000 + PMD_SIZE, PAGE);
        memory.handleAnonFault(a, a.start());
        memory.handleAnonFault(b, b.start());
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(4); // pud, pmd, 2 pte

        spaces.munmap(mm, a.start(), PAGE);

        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(3);
        assertThat(mm.pgd().table(0).table(0).table(2)).as("a's pte table").isNull();
        assertThat(mm.pgd().table(0).table(0).table(3)).as("b's pte table").isNotNull();
        spaces.mmput(mm);
    }

    @Test
    void neighbourBelowInAnotherPudKeepsOnlyWhatItUses() {
        MmStruct mm = spaces.mmAlloc();
        Vma low = anon(mm, 0x400000, PAGE);
        Vma high = anon(mm, 3 * PUD_SIZE, PAGE);
        memory.handleAnonFault(low, low.start());
        memory.handleAnonFault(high, high.start());
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(5); // pud, 2 pmd, 2 pte

        spaces.munmap(mm, high.start(), PAGE);

        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as("high's pmd and pte go, the pud stays")
                .isEqualTo(3);
        assertThat(mm.pgd().table(0).table(3)).isNull();
        spaces.mmput(mm);
    }

    @Test
    void unmappingTheMiddleOfAVmaSplitsItAndFreesOnlyTheMiddlesTables() {
        MmStruct mm = spaces.mmAlloc();
        long start = 0x400000;
        Vma vma = anon(mm, start, 3 * PMD_SIZE);
        for (long a = start; a < vma.end(); a += PMD_SIZE) {
            memory.handleAnonFault(vma, a);
        }
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(5);

        assertThat(spaces.munmap(mm, start + PMD_SIZE, PMD_SIZE)).isZero();

        assertThat(mm.vmas()).extracting(Vma::start, Vma::end).containsExactly(
                org.assertj.core.groups.Tuple.tuple(start, start + PMD_SIZE),
                org.assertj.core.groups.Tuple.tuple(start + 2 * PMD_SIZE, start + 3 * PMD_SIZE));
        assertThat(vma.end()).as("the original vma keeps the lower part").isEqualTo(start + PMD_SIZE);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(4);
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(2);
        spaces.mmput(mm);
    }

    @Test
    void teardownFreesEveryPageTableAndPage() {
        MmStruct mm = spaces.mmAlloc();
        Vma a = anon(mm, 0x400000, 16 * PAGE);
        Vma b = anon(mm, 5 * PUD_SIZE, 4 * PAGE);
        for (int i = 0; i < 16; i++) {
            memory.handleAnonFault(a, a.start() + i * PAGE);
        }
        for (int i = 0; i < 4; i++) {
            memory.handleAnonFault(b, b.start() + i * PAGE);
        }
        spaces.mmget(mm);
        spaces.mmput(mm);
        assertThat(used()).as("another user keeps the mm").isEqualTo(1 + 5 + 20);

        spaces.mmput(mm);

        assertThat(mm.pgd()).isNull();
        assertThat(mm.pgtablesBytes()).isZero();
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isZero();
        assertThat(used()).isZero();
    }

    @Test
    void checkMmReportsWhatATeardownLeftBehind() {
        MmStruct mm = spaces.mmAlloc();
        mm.addRss(MmStruct.MM_FILEPAGES, 2);

        spaces.mmput(mm);

        assertThat(m.log.dmesg()).containsPattern(
                "BUG: Bad rss-counter state mm:[0-9a-f]{16} type:MM_FILEPAGES val:2");
        m.log.clear();
    }

    private Vma anon(MmStruct mm, long addr, long len) {
        long got = spaces.mmapAnonymous(mm, addr, len, VM_READ | VM_WRITE);
        assertThat(got).isEqualTo(addr);
        return mm.vmaLookup(addr);
    }

    private long free() {
        return m.alloc.freePfns().cardinality();
    }

    private long used() {
        return freeAtBoot - free();
    }
}
