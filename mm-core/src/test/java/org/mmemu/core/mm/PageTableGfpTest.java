package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_HIGHUSER_MOVABLE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_PGTABLE_USER;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.TestModules;
import org.mmemu.core.TestModules.GfpRecorder;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/** The era's page-table gfp reaches the allocation hooks; the type follows the encoding. */
class PageTableGfpTest {
    private final GfpRecorder recorder = new GfpRecorder();
    private Machine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;

    private void boot(com.google.inject.Module... extra) {
        com.google.inject.Module[] all = new com.google.inject.Module[extra.length + 1];
        all[0] = TestModules.allocHook(recorder);
        System.arraycopy(extra, 0, all, 1, extra.length);
        m = Machine.boot(all);
        m.injector.getInstance(PageHooks.class).allocKey().inc();
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
    }

    @AfterEach
    void nothingLeaked() {
        assertThat(m.injector.getInstance(VmStat.class).read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void from48UserPageTablesAreAllocatedAccounted() {
        boot();

        MmStruct mm = spaces.mmAlloc();
        fault(mm);

        assertThat(recorder.gfps()).containsExactly(
                GFP_PGTABLE_USER, GFP_PGTABLE_USER, GFP_PGTABLE_USER, GFP_PGTABLE_USER,
                GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
        assertThat(GFP_PGTABLE_USER & __GFP_ACCOUNT).isNotZero();
        spaces.mmput(mm);
    }

    @Test
    void before48PageTablesAreNotAccounted() {
        boot(TestModules.select(PageTableGfp.class, "pgtablegfp.Kernel46"));

        MmStruct mm = spaces.mmAlloc();
        fault(mm);

        assertThat(recorder.gfps()).startsWith(GFP_KERNEL | __GFP_ZERO, GFP_KERNEL | __GFP_ZERO,
                GFP_KERNEL | __GFP_ZERO, GFP_KERNEL | __GFP_ZERO);
        assertThat(recorder.gfps()).noneMatch(gfp -> (gfp & __GFP_ACCOUNT) != 0);
        spaces.mmput(mm);
    }

    @Test
    void before418TablesAreCountedButCarryNoType() {
        boot(TestModules.select(PageTypeEncoding.class, "pagetype.Value48"));

        MmStruct mm = spaces.mmAlloc();
        fault(mm);

        PageTable pte = mm.pgd().table(0).table(0).table(2);
        assertThat(pte.page().mapcountWord()).isEqualTo(MapcountWord.UNMAPPED);
        assertThat(m.injector.getInstance(VmStat.class).read(VmStatItem.NR_PAGETABLE)).isEqualTo(3);
        spaces.mmput(mm);
    }

    @Test
    void from418TheTypeCoexistsWithOtherBitTypes() {
        boot(TestModules.select(PageTypeEncoding.class, "pagetype.Bits418"));

        MmStruct mm = spaces.mmAlloc();
        fault(mm);

        PageTable pte = mm.pgd().table(0).table(0).table(2);
        assertThat(pte.page().mapcountWord()).as("PG_table 0x400 cleared").isEqualTo(0xfffffbff);
        spaces.mmput(mm);
    }

    private void fault(MmStruct mm) {
        long addr = spaces.mmapAnonymous(mm, 0x400000, 4096, VM_READ | VM_WRITE);
        assertThat(memory.handleAnonFault(mm.vmaLookup(addr), addr)).isZero();
    }
}
