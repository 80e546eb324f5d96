package org.mmemu.s390;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;

import com.google.inject.Module;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.KernelBug;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.s390.testing.KmemcgStandIn;

/**
 * s390 page tables and kmem accounting (reference, "Conflicts worth emulating" 5): the kernel
 * never allocated them with {@code __GFP_ACCOUNT}; with the accounted override, the 4.8 layout
 * erases the Kmemcg type and leaks page and charge, the 4.18 layout lets both coexist (until a
 * {@code put_page} drops the table's reference), and 6.8's whole pages have nothing to collide.
 * The accounting comes from {@link KmemcgStandIn}; the same tests against the real memcg
 * belong in integration-tests.
 */
class AccountedPageTablesTest {
    private static final long ADDR = 0x400000;

    private S390Fixture f;
    private KmemcgStandIn memcg;

    @AfterEach
    void finish() {
        f.finish();
    }

    private void boot(FragmentLayout.Eras layout, boolean accounted) {
        Module gfp = b -> PolicyBinder.policyBinder(b, S390PageTableGfp.class)
                .select(accounted ? "s390gfp.Account" : "s390gfp.Kernel");
        f = new S390Fixture(layout, KmemcgStandIn.module(), gfp);
        memcg = KmemcgStandIn.enable(f.m);
        f.withMm();
    }

    /** Maps and faults one anonymous page at {@link #ADDR}; returns its PTE table. */
    private PageTable fault() {
        MemoryMapping memory = f.m.get(MemoryMapping.class);
        long addr = f.spaces.mmapAnonymous(f.mm, ADDR, 4096, VM_READ | VM_WRITE);
        assertThat(memory.handleAnonFault(f.mm.vmaLookup(addr), addr)).isZero();
        PageTableGeometry geo = memory.geometry();
        return f.mm.pgd().table(geo.index(ADDR, 2)).table(geo.index(ADDR, 1));
    }

    private void unmap() {
        assertThat(f.spaces.munmap(f.mm, ADDR, 4096)).isZero();
        f.rcu.synchronizeRcu();
    }

    @ParameterizedTest
    @EnumSource(FragmentLayout.Eras.class)
    void byDefaultNoEraChargesS390PageTables(FragmentLayout.Eras layout) {
        boot(layout, false);

        PageTable pte = fault();

        assertThat(memcg.chargedBlocks()).as("pgd, segment and PTE tables alike").isZero();
        assertThat(pte.page().memcgData()).isZero();
        assertThat(f.m.types().has(pte.page(), PageType.KMEMCG)).isFalse();
        unmap();
        assertThat(f.m.log().dmesg()).doesNotContain("collision");
    }

    @Test
    void in48TheFragmentBitsEraseTheKmemcgTypeAndTheFreedPageStaysChargedAndLeaks() {
        boot(FragmentLayout.Eras.MAPCOUNT_4_8, true);
        assertThat(f.mm.pgd().page().mapcountWord()).as("the pgd is charged as Kmemcg").isEqualTo(-512);

        PageTable pte = fault();
        Page page = pte.page();

        assertThat(page.mapcountWord()).as("atomic_set(&page->_mapcount, 1)").isEqualTo(1);
        assertThat(f.m.types().has(page, PageType.KMEMCG)).isFalse();
        assertThat(page.memcgData()).as("still points at the cgroup").isEqualTo(memcg.memcg());
        assertThat(memcg.chargedBlocks()).as("pgd, segment table, PTE page").isEqualTo(3);
        assertThat(f.m.log().dmesg())
                .contains(String.format("mmemu: _mapcount collision on pfn 0x%x: s390 page_table_alloc"
                        + " writes its fragment bits 0x1 over _mapcount 0xfffffe00, which holds the type"
                        + " PageKmemcg; that tenant is lost", page.pfn()))
                .contains("page dumped because: s390 fragment bits over another _mapcount tenant");

        f.m.expectBadPage(page, "page still charged to cgroup");
        unmap();

        assertThat(f.m.badPages().reports()).singleElement()
                .satisfies(r -> assertThat(r.pfn()).isEqualTo(page.pfn()));
        assertThat(f.m.log().dmesg()).contains("BUG: Bad page state in process");
        assertThat(f.m.isFree(page)).as("the kernel leaks a bad page").isFalse();
        assertThat(memcg.chargedBlocks()).as("the segment table was uncharged, the PTE page was not")
                .isEqualTo(2);

        f.spaces.mmput(f.mm);
        assertThat(memcg.chargedBlocks()).as("the charge leaks with the page").isEqualTo(1);
    }

    @Test
    void in418TheBitsSitInRefcountSoKmemcgAndTableCoexistAndTheSameWorkloadIsClean() {
        boot(FragmentLayout.Eras.REFCOUNT_4_18, true);

        PageTable pte = fault();
        Page page = pte.page();

        assertThat(page.refcount()).as("the allocation's reference under bits 0x01").isEqualTo(0x01000001);
        assertThat(page.mapcountWord()).as("PG_kmemcg 0x200 and PG_table 0x400 cleared").isEqualTo(0xfffff9ff);
        assertThat(f.m.types().has(page, PageType.KMEMCG)).isTrue();
        assertThat(f.m.types().has(page, PageType.TABLE)).isTrue();
        assertThat(memcg.chargedBlocks()).isEqualTo(3);

        unmap();

        assertThat(f.m.isFree(page)).isTrue();
        assertThat(memcg.chargedBlocks()).as("only the pgd is left charged").isEqualTo(1);
        f.spaces.mmput(f.mm);
        assertThat(memcg.chargedBlocks()).isZero();
        assertThat(f.m.badPages().reports()).isEmpty();
        assertThat(f.m.log().dmesg()).doesNotContain("collision");
    }

    @Test
    void in418APutPageUnderTheFragmentBitsIsCaughtWhenS390FreesTheTable() {
        boot(FragmentLayout.Eras.REFCOUNT_4_18, true);
        PageTable pte = f.pte();
        Page page = pte.page();

        f.m.refs().putPage(page);   // a put_page-based free path, as x86 tables take

        assertThat(page.refcount()).as("only the fragment bits keep it up").isEqualTo(0x01000000);
        assertThat(f.m.isFree(page)).as("put_page_testzero was false: nothing freed or uncharged").isFalse();
        f.freeRcu(pte);
        assertThatThrownBy(f.rcu::synchronizeRcu)
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("VM_BUG_ON_PAGE(page_ref_count(page) == 0 when s390 frees the page table")
                .hasMessageContaining("a put_page dropped the reference the table was allocated with")
                .hasMessageContaining("fragment bits in the top byte of _refcount")
                .hasMessageContaining("page types: PageKmemcg, PageTable");

        f.m.expectLeak(page);
        assertThat(memcg.isCharged(page)).as("page and charge are lost together").isTrue();
        assertThat(memcg.chargedBlocks()).isEqualTo(2);
    }

    @Test
    void in68EveryTableHasItsOwnPageAndTheChargeSitsInMemcgData() {
        boot(FragmentLayout.Eras.WHOLE_PAGE_6_8, true);

        PageTable pte = fault();
        Page page = pte.page();

        assertThat(page.refcount()).isEqualTo(1);
        assertThat(page.mapcountWord()).as("PGTY_table in the top byte").isEqualTo(0xf2000000);
        assertThat(page.memcgData()).isEqualTo(memcg.memcg() | KmemcgStandIn.MEMCG_DATA_KMEM);
        assertThat(memcg.chargedBlocks()).isEqualTo(3);

        unmap();

        assertThat(f.m.isFree(page)).isTrue();
        f.spaces.mmput(f.mm);
        assertThat(memcg.chargedBlocks()).isZero();
        assertThat(f.m.badPages().reports()).isEmpty();
    }
}
