package org.mmemu.s390;

import com.google.inject.Module;
import java.util.List;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.MmuGather;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.page.Page;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * One s390 machine for a test that drives the allocator through its SPI: the services, an mm,
 * and page counts relative to the moment the mm was made.
 */
final class S390Fixture {
    final TestMachine m;
    final AddressSpaces spaces;
    final S390PageTableAllocator tables;
    final Rcu rcu;
    final FragmentLayout layout;
    MmStruct mm;
    private long freeWithMm;

    S390Fixture(FragmentLayout.Eras layout, Module... more) {
        this.m = S390Layouts.boot(layout, more);
        this.spaces = m.get(AddressSpaces.class);
        this.tables = (S390PageTableAllocator) m.get(PageTableAllocator.class);
        this.rcu = m.get(Rcu.class);
        this.layout = layout;
    }

    /** Makes the mm (its pgd) and starts counting pages from there. */
    S390Fixture withMm() {
        mm = spaces.mmAlloc();
        freeWithMm = free();
        return this;
    }

    /** Pages taken since the mm was made. */
    long used() {
        return freeWithMm - free();
    }

    long free() {
        return m.alloc().freePfns().cardinality();
    }

    long nrPagetable() {
        return m.vmStat().read(VmStatItem.NR_PAGETABLE);
    }

    PageTable pte() {
        return tables.allocTable(mm, 0);
    }

    /** {@code pte_free_tlb} through a gather of its own, finished (queued to RCU). */
    void freeRcu(PageTable... tablesToFree) {
        MmuGather tlb = spaces.tlbGatherMmu(mm, false);
        for (PageTable t : tablesToFree) {
            tables.freeTableTlb(tlb, t);
        }
        tlb.finish();
    }

    /** The mm's pgtable_list. */
    List<Page> listed() {
        return S390PageTableAllocator.context(mm).pgtableList();
    }

    int bits(Page page) {
        return layout.bits(page);
    }

    /** Frees the mm, ends every grace period, and runs the machine's checks. */
    void finish() {
        if (mm != null && mm.pgd() != null) {
            spaces.mmput(mm);
        }
        rcu.rcuBarrier();
        m.verify();
    }
}
