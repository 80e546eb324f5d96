package org.mmemu.s390;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import com.google.inject.CreationException;
import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Injectors;
import org.mmemu.core.KernelBug;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * The s390 allocator beyond the 2K halves: whole-page tables (6.8 and pgste mms), CRST tables,
 * the gfp per policy, and how the module binds itself.
 */
class S390PageTableAllocatorTest {
    private S390Fixture f;

    @AfterEach
    void finish() {
        if (f != null) {
            f.finish();
        }
    }

    @Test
    void installingTheModuleSelectsS390WithTheLatestLayoutAndUnaccountedTables() {
        TestMachine m = TestMachine.boot(MemoryConfig.of("16M"), new S390Module());
        S390PageTableAllocator tables = (S390PageTableAllocator) m.get(PageTableAllocator.class);

        assertThat(tables.policyName()).isEqualTo("pgtable.S390");
        assertThat(tables.layout()).isEqualTo(FragmentLayout.Eras.WHOLE_PAGE_6_8);
        assertThat(m.get(S390PageTableGfp.class).gfp()).isEqualTo(GFP_KERNEL);
        assertThat(m.get(S390PageTableAllocator.class)).as("one allocator per machine").isSameAs(tables);
        m.verify();
    }

    @Test
    void theMapcountLayoutIsRefusedWithPageTypesThatKeepPageTableInMapcount() {
        Module incoherent = S390Layouts.binding(FragmentLayout.Eras.MAPCOUNT_4_8);
        Module bits = b -> PolicyBinder.policyBinder(b, PageTypeEncoding.class).select("pagetype.Bits418");

        assertThatThrownBy(() -> Injectors.strict(new MmCoreModule(MemoryConfig.of("16M")),
                com.google.inject.util.Modules.override(incoherent).with(bits)))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("s390layout.Mapcount48")
                .hasMessageContaining("pagetype.Bits418")
                .hasMessageContaining("pagetype.Value48");
    }

    @ParameterizedTest
    @CsvSource({
        "MAPCOUNT_4_8,   s390gfp.Kernel,  0",
        "REFCOUNT_4_18,  s390gfp.Kernel,  0",
        "WHOLE_PAGE_6_8, s390gfp.Kernel,  0x40000",
        "MAPCOUNT_4_8,   s390gfp.Account, 0",
        "WHOLE_PAGE_6_8, s390gfp.Account, 0x40000",
    })
    void everyTableIsAllocatedWithThePolicysGfp(FragmentLayout.Eras layout, String gfpPolicy, String extra) {
        List<Integer> gfps = new ArrayList<>();
        Module recorder = b -> PageHooks.allocHooks(b).add((cpu, page, gfp, order) -> {
            gfps.add(gfp);
            return true;
        });
        Module select = b -> PolicyBinder.policyBinder(b, S390PageTableGfp.class).select(gfpPolicy);
        f = new S390Fixture(layout, recorder, select);
        f.m.get(PageHooks.class).allocKey().inc();
        int expected = (gfpPolicy.equals("s390gfp.Kernel") ? GFP_KERNEL : GFP_KERNEL_ACCOUNT)
                | Integer.decode(extra);
        assertThat(Integer.decode(extra)).isIn(0, __GFP_COMP);

        f.withMm();
        PageTable segment = f.tables.allocTable(f.mm, 1);
        PageTable pte = f.pte();

        assertThat(gfps).as("pgd, segment table, PTE page").containsExactly(expected, expected, expected);
        f.tables.freeTable(f.mm, pte);
        f.tables.freeTable(f.mm, segment);
    }

    @ParameterizedTest
    @EnumSource(FragmentLayout.Eras.class)
    void crstTablesAreOrderTwoBlocksAndOnlySegmentTablesAreConstructed(FragmentLayout.Eras layout) {
        f = new S390Fixture(layout);
        long before = f.free();
        f.withMm();
        Page pgd = f.mm.pgd().page();
        assertThat(before - f.free()).as("the pgd takes 16K").isEqualTo(4);
        assertThat(f.mm.pgd().nrEntries()).isEqualTo(2048);
        assertThat(f.mm.pgd().level()).isEqualTo(2);
        assertThat(pgd.pfn() % 4).as("an order-2 block").isZero();
        assertThat(pgd.testFlag(PageFlags.PG_head)).as("compound from 6.8 (pagetable_alloc)")
                .isEqualTo(layout == FragmentLayout.Eras.WHOLE_PAGE_6_8);
        assertThat(f.nrPagetable()).isZero();

        PageTable segment = f.tables.allocTable(f.mm, 1);

        assertThat(f.used()).isEqualTo(4);
        assertThat(segment.nrEntries()).isEqualTo(2048);
        assertThat(f.nrPagetable()).isEqualTo(1);
        assertThat(f.m.types().has(segment.page(), PageType.TABLE))
                .isEqualTo(f.m.types().encoding().supports(PageType.TABLE));
        f.tables.freeTable(f.mm, segment);
        assertThat(f.used()).as("pmd_free frees at once").isZero();

        PageTable another = f.tables.allocTable(f.mm, 1);
        f.freeRcu(another);
        assertThat(f.nrPagetable()).as("pmd_free_tlb runs the destructor before queueing").isZero();
        assertThat(f.used()).as("tlb_remove_table: freed after the grace period").isEqualTo(4);
        f.rcu.synchronizeRcu();
        assertThat(f.used()).isZero();
    }

    @Test
    void theLatestLayoutGivesEveryPteTableAPageOfItsOwnAndStillFreesThroughRcu() {
        f = new S390Fixture(FragmentLayout.Eras.WHOLE_PAGE_6_8).withMm();

        PageTable a = f.pte();
        PageTable b = f.pte();

        assertThat(b.page()).isNotSameAs(a.page());
        assertThat(a.offset()).isZero();
        assertThat(b.offset()).isZero();
        assertThat(a.nrEntries()).isEqualTo(256);
        assertThat(f.used()).isEqualTo(2);
        assertThat(f.nrPagetable()).isEqualTo(2);
        assertThat(a.page().refcount()).as("no fragment bits").isEqualTo(1);
        assertThat(f.m.types().has(a.page(), PageType.TABLE)).isTrue();
        assertThat(f.listed()).isEmpty();

        f.tables.freeTable(f.mm, a);
        assertThat(f.used()).isEqualTo(1);
        f.freeRcu(b);
        assertThat(f.used()).as("tlb_remove_ptdesc waits for the grace period").isEqualTo(1);
        f.rcu.synchronizeRcu();
        assertThat(f.used()).isZero();
        assertThat(f.nrPagetable()).isZero();
    }

    @ParameterizedTest
    @CsvSource({
        "MAPCOUNT_4_8,   0x00000003, 0x00000001",
        "REFCOUNT_4_18,  0xfffffbff, 0x03000001",
        "WHOLE_PAGE_6_8, 0xf2000000, 0x00000001",
    })
    void aPgsteMmTakesAWholePagePerPteTable(FragmentLayout.Eras layout, String mapcount, String refcount) {
        f = new S390Fixture(layout);
        f.tables.setAllocatePgste(true);
        f.withMm();
        f.tables.setAllocatePgste(false);
        MmStruct plain = f.spaces.mmAlloc();
        assertThat(S390PageTableAllocator.context(f.mm).allocPgste()).isTrue();
        assertThat(S390PageTableAllocator.context(plain).allocPgste()).as("set when the mm is made").isFalse();

        PageTable a = f.pte();
        PageTable b = f.pte();

        assertThat(b.page()).isNotSameAs(a.page());
        assertThat(a.offset()).isZero();
        assertThat(f.used()).isEqualTo(2 + 4);
        assertThat(a.page().mapcountWord()).isEqualTo(Integer.parseUnsignedInt(mapcount.substring(2), 16));
        assertThat(a.page().refcount()).isEqualTo(Integer.parseUnsignedInt(refcount.substring(2), 16));
        assertThat(f.listed()).as("pgste tables are never listed").isEmpty();

        f.tables.freeTable(f.mm, a);
        f.freeRcu(b);
        assertThat(f.used()).isEqualTo(1 + 4);
        f.rcu.synchronizeRcu();
        assertThat(f.used()).isEqualTo(4);
        assertThat(f.m.isFree(a.page())).isTrue();
        assertThat(f.m.isFree(b.page())).isTrue();
        f.spaces.mmput(plain);
    }

    @Test
    void anMmTheAllocatorDidNotSetUpHasNoS390Context() {
        f = new S390Fixture(FragmentLayout.Eras.REFCOUNT_4_18);
        MmStruct bare = new MmStruct();

        assertThatThrownBy(() -> f.tables.allocTable(bare, 0))
                .isInstanceOf(KernelBug.class).hasMessageContaining("has no s390 mm context");
        assertThatThrownBy(() -> f.tables.allocTable(bare, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no table level 2");
        assertThat(bare.archContext()).isNull();
    }
}
