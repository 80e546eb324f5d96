package org.mmemu.it;

import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;
import static org.mmemu.it.EraMachine.PAGE;

import com.google.inject.Module;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.stat.MemcgStatItem;
import org.mmemu.s390.S390Module;
import org.mmemu.s390.S390PageTableGfp;

/**
 * s390 page tables charged by the real memcg of each era (reference, "Conflicts worth
 * emulating" 5). The kernel never allocated them with {@code __GFP_ACCOUNT}; with the
 * {@code s390gfp.Account} override a task's tables are charged to its cgroup like x86's, and:
 * <ul>
 *   <li>4.8: the fragment bits overwrite the kmemcg page type in {@code _mapcount}, so the PTE
 *       page is freed still pointing at its cgroup: "page still charged to cgroup", and the
 *       page and its charge leak;</li>
 *   <li>4.18 to 5.11: the bits live in {@code _refcount}, the types coexist, and every table is
 *       uncharged exactly once;</li>
 *   <li>latest: a table has a page of its own, and is uncharged exactly once.</li>
 * </ul>
 * The workload: a task in /job maps and touches one page (a segment table and a PTE table on
 * top of the pgd), unmaps it, and exits.
 */
class S390AccountedPageTablesTest {
    private static final long ADDR = 0x400000;
    /** The pgd and the segment table are 16K CRST tables; the PTE table shares a 4K page. */
    private static final int CRST_PAGES = 4;

    private EraMachine e;
    private MemCgroup job;
    private Task task;

    @AfterEach
    void finish() {
        e.finish();
    }

    private void boot(Era era, String s390gfp) {
        Module gfp = b -> PolicyBinder.policyBinder(b, S390PageTableGfp.class).select(s390gfp);
        e = EraMachine.boot(era, new S390Module(), gfp);
        job = e.mkdir("/job");
        task = e.spawn("/job");
    }

    /** The task maps one page at {@link #ADDR} and touches it; returns the PTE table's page. */
    private Page touch() {
        try (var running = e.as(task)) {
            e.spaces.mmapAnonymous(task.taskStruct().mm(), ADDR, PAGE, VM_READ | VM_WRITE);
            assertThat(e.memory.handleAnonFault(task.taskStruct().mm().vmaLookup(ADDR), ADDR)).isZero();
        }
        PageTableGeometry geo = e.memory.geometry();
        PageTable pte = task.taskStruct().mm().pgd().table(geo.index(ADDR, 2)).table(geo.index(ADDR, 1));
        return pte.page();
    }

    private void unmap() {
        assertThat(e.spaces.munmap(task.taskStruct().mm(), ADDR, PAGE)).isZero();
        e.quiesce();
    }

    private long kmemStat() {
        return job.stats().local(MemcgStatItem.MEMCG_KMEM);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void theKernelsOwnGfpChargesNoS390PageTableInAnyEra(Era era) {
        boot(era, "s390gfp.Kernel");

        Page pte = touch();

        assertThat(e.charged("/job")).isZero();
        assertThat(e.m, pte).hasMemcgData(0);
        unmap();
        assertThat(e.charged("/job")).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = "V4_7")
    void in47AnAccountedGfpChargesNothingBecauseOnlyTheKmemHelpersCharge(Era era) {
        boot(era, "s390gfp.Account");

        Page pte = touch();

        assertThat(e.charged("/job")).isZero();
        assertThat(e.m, pte).hasMemcgData(0).hasMapcountWord(1);
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = "V4_8")
    void in48TheFragmentBitsEraseTheKmemcgTypeAndThePtePageLeaksWithItsCharge(Era era) {
        boot(era, "s390gfp.Account");
        assertThat(e.charged("/job")).as("the pgd").isEqualTo(CRST_PAGES);
        assertThat(e.m, task.taskStruct().mm().pgd().page()).hasType(PageType.KMEMCG);

        Page pte = touch();

        assertThat(e.charged("/job")).as("pgd, segment table, PTE page").isEqualTo(2 * CRST_PAGES + 1);
        assertThat(e.m, pte).as("atomic_set(&page->_mapcount, 1)").hasMapcountWord(1)
                .hasMemcgData(job.address());
        assertThat(e.m.types().has(pte, PageType.KMEMCG)).as("the type is gone").isFalse();
        assertThat(e.m.log().dmesg()).contains(String.format("_mapcount collision on pfn 0x%x", pte.pfn()));

        e.m.expectBadPage(pte, "page still charged to cgroup");
        unmap();

        assertThat(e.m, pte).as("the kernel leaks a bad page").isNotFree();
        assertThat(e.charged("/job")).as("the segment table was uncharged, the PTE page was not")
                .isEqualTo(CRST_PAGES + 1);
        task.exit();
        assertThat(e.charged("/job")).as("the charge leaks with the page").isEqualTo(1);
        assertThat(kmemStat()).isEqualTo(1);

        e.k.cgroupfs().rmdir("/job");
        assertThat(job.state()).as("the leaked page pins the cgroup").isEqualTo(MemCgroup.State.DYING);
        assertThat(job.parent().nrDyingDescendants()).as("4.8 has no cgroup.stat to show it").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = {"V4_18", "V5_9", "V5_10", "V5_11", "LATEST"})
    void from418TheBitsLeaveTheTypeAloneAndEveryTableIsUnchargedExactlyOnce(Era era) {
        boot(era, "s390gfp.Account");

        Page pte = touch();

        assertThat(e.charged("/job")).isEqualTo(2 * CRST_PAGES + 1);
        assertThat(kmemStat()).isEqualTo(2 * CRST_PAGES + 1);
        assertThat(e.m.get(MemcgData.class).pageMemcgCheck(pte)).isSameAs(job);
        assertThat(e.m, pte).hasType(PageType.TABLE);
        if (era == Era.V5_11 || era == Era.LATEST) {
            assertThat(e.m.get(MemcgData.class).pageMemcgKmem(pte)).as("MEMCG_DATA_KMEM").isTrue();
        } else {
            assertThat(e.m, pte).as("PageKmemcg beside PageTable").hasType(PageType.KMEMCG);
        }
        int refcount = era == Era.LATEST ? 1 : 0x01000001;
        assertThat(e.m, pte).as("fragment bits in the top byte of _refcount until 6.8").hasRefCount(refcount);

        unmap();
        assertThat(e.m, pte).isFree();
        assertThat(e.charged("/job")).as("only the pgd is left").isEqualTo(CRST_PAGES);

        task.exit();
        assertThat(e.charged("/job")).isZero();
        assertThat(kmemStat()).as("no table was uncharged twice").isZero();
        e.k.cgroupfs().rmdir("/job");
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(e.m.log().dmesg()).doesNotContain("collision");
    }
}
