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
 * What is particular to the generic (x86-64) page-table allocator: four levels of whole-page
 * tables, each below the pgd constructed as a {@code PageTable}. How address spaces allocate and
 * free tables under any allocator is mm-core-testing's {@code AddressSpaceContract}, which runs
 * against this allocator there.
 */
class GenericPageTableAllocatorTest {
    private static final long PAGE = MemMap.PAGE_SIZE;

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
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void anMmStartsWithAOnePagePgdAtLevelThreeBelowX86TaskSize() {
        MmStruct mm = spaces.mmAlloc();

        assertThat(used()).isEqualTo(1);
        assertThat(mm.pgd().level()).isEqualTo(3);
        assertThat(mm.pgd().nrEntries()).isEqualTo(512);
        assertThat(memory.geometry().taskSize()).isEqualTo((1L << 47) - PAGE);
        assertThat(spaces.taskUnmappedBase()).isEqualTo(0x2aaaaaaab000L);
        assertThat(m.types.hasAnyType(mm.pgd().page())).as("the pgd is not constructed").isFalse();

        spaces.mmput(mm);
        assertThat(used()).isZero();
    }

    @Test
    void theFirstFaultBuildsAPudAPmdAndAPteTableEachAPageOfTypeTable() {
        MmStruct mm = spaces.mmAlloc();
        long addr = spaces.mmapAnonymous(mm, 0x400000, PAGE, VM_READ | VM_WRITE);
        Vma vma = mm.vmaLookup(addr);

        assertThat(memory.handleAnonFault(vma, addr)).isZero();

        PageTable pud = mm.pgd().table(0);
        PageTable pmd = pud.table(0);
        PageTable pte = pmd.table(2);
        assertThat(pte.level()).isZero();
        assertThat(used()).as("pgd, pud, pmd, pte and the anonymous page").isEqualTo(5);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(3);
        assertThat(mm.pgtablesBytes()).isEqualTo(3 * 4096);
        for (PageTable t : new PageTable[] {pud, pmd, pte}) {
            assertThat(t.offset()).isZero();
            assertThat(m.types.has(t.page(), PageType.TABLE)).as("%s is PageTable", t).isTrue();
        }
        assertThat(memory.followPage(vma, addr).pfn()).isEqualTo(Pte.pfn(pte.pte(0)));

        spaces.mmput(mm);
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

    private long free() {
        return m.alloc.freePfns().cardinality();
    }

    private long used() {
        return freeAtBoot - free();
    }
}
