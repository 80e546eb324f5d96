package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/** The mmu_gather holds what a teardown unhooks until its flush, and tables until RCU. */
class MmuGatherTest {
    private Machine m;
    private AddressSpaces spaces;
    private PageTableAllocator tables;
    private PageTableCtor ctor;
    private Rcu rcu;
    private MmStruct mm;

    @BeforeEach
    void boot() {
        m = Machine.boot();
        spaces = m.injector.getInstance(AddressSpaces.class);
        tables = m.injector.getInstance(PageTableAllocator.class);
        ctor = m.injector.getInstance(PageTableCtor.class);
        rcu = m.injector.getInstance(Rcu.class);
        mm = spaces.mmAlloc();
    }

    @AfterEach
    void nothingLeaked() {
        spaces.mmput(mm);
        assertThat(rcu.pendingCallbacks()).isZero();
        assertThat(m.injector.getInstance(VmStat.class).read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void removedPagesKeepTheirReferenceUntilTheGatherFinishes() {
        MmuGather tlb = spaces.tlbGatherMmu(mm, false);
        List<Page> pages = allocate(3);
        pages.forEach(tlb::removePage);

        assertThat(tlb.pendingPages()).isEqualTo(3);
        assertThat(pages).allMatch(p -> p.refcount() == 1);
        assertThat(freed(pages)).isZero();

        tlb.finish();

        assertThat(tlb.pendingPages()).isZero();
        assertThat(freed(pages)).isEqualTo(3);
    }

    @Test
    void aFullBatchIsReleasedAtOnce() {
        MmuGather tlb = spaces.tlbGatherMmu(mm, true);
        List<Page> pages = allocate(MmuGather.MAX_GATHER_BATCH);
        for (int i = 0; i < MmuGather.MAX_GATHER_BATCH - 1; i++) {
            tlb.removePage(pages.get(i));
        }
        assertThat(freed(pages)).isZero();

        tlb.removePage(pages.get(MmuGather.MAX_GATHER_BATCH - 1));

        assertThat(tlb.pendingPages()).isZero();
        assertThat(freed(pages)).isEqualTo(MmuGather.MAX_GATHER_BATCH);
        tlb.finish();
    }

    @Test
    void aTableRemovedThroughRcuIsFreedOnlyAfterAGracePeriod() {
        PageTable table = tables.allocTable(mm, 0);
        assertThat(table).isNotNull();
        ctor.dtor(table.page());
        MmuGather tlb = spaces.tlbGatherMmu(mm, false);

        tlb.removeTable(table);
        tlb.finish();

        assertThat(tlb.pendingTables()).isZero();
        assertThat(rcu.pendingCallbacks()).isEqualTo(1);
        assertThat(freed(List.of(table.page()))).isZero();

        rcu.synchronizeRcu();

        assertThat(freed(List.of(table.page()))).isEqualTo(1);
    }

    @Test
    void aFullTableBatchGoesToRcuAtOnce() {
        MmuGather tlb = spaces.tlbGatherMmu(mm, false);
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < MmuGather.MAX_TABLE_BATCH; i++) {
            PageTable t = tables.allocTable(mm, 0);
            ctor.dtor(t.page());
            pages.add(t.page());
            tlb.removeTable(t);
        }

        assertThat(tlb.pendingTables()).isZero();
        assertThat(rcu.pendingCallbacks()).isEqualTo(1);
        tlb.finish();
        assertThat(rcu.pendingCallbacks()).as("nothing left to queue").isEqualTo(1);

        rcu.rcuBarrier();
        assertThat(freed(pages)).isEqualTo(MmuGather.MAX_TABLE_BATCH);
    }

    @Test
    void freeTableFreesAtOnce() {
        PageTable table = tables.allocTable(mm, 1);
        assertThat(m.injector.getInstance(VmStat.class).read(VmStatItem.NR_PAGETABLE)).isEqualTo(1);

        tables.freeTable(mm, table);

        assertThat(freed(List.of(table.page()))).isEqualTo(1);
    }

    private List<Page> allocate(int n) {
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pages.add(m.alloc.allocPage(GFP_KERNEL));
        }
        return pages;
    }

    private long freed(List<Page> pages) {
        var free = m.alloc.freePfns();
        return pages.stream().filter(p -> free.get((int) p.pfn())).count();
    }
}
