package org.mmemu.it;

import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;
import static org.mmemu.it.EraMachine.PAGE;

import com.google.inject.Module;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.contract.PageTableCensus;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.stat.MemcgStatItem;
import org.mmemu.s390.S390Module;

/**
 * Whether a cgroup pays for its tasks' page tables, under each era and each page-table binding:
 * the generic (x86) tables are allocated with {@code GFP_PGTABLE_USER} and charged from 4.8 on,
 * not in 4.7; s390's are {@code GFP_KERNEL} and charged in no era (from 6.18 only, after the
 * latest era's kernel). Where they are charged,
 * {@code memory.current} is exactly the pages the mm's tables occupy, and the cgroup's
 * {@code pagetables} statistic (in memory.stat from 5.11) the page-table pages below the pgd,
 * as mapping and unmapping ranges grow and shrink them; exit leaves nothing charged.
 *
 * <p>The task maps a driver's page (a {@code GFP_KERNEL} page, never charged in any era) with
 * {@code vm_insert_page} into three ranges spread so they need tables of their own: the second
 * a new PTE table, the third a new PMD (segment) table too.
 */
class PageTableAccountingTest {
    /** The page-table bindings. */
    enum Binding {
        GENERIC, S390;

        Module module() {
            return this == S390 ? new S390Module() : binder -> { };
        }
    }

    private EraMachine e;
    private Page driverPage;

    @AfterEach
    void finish() {
        if (driverPage != null) {
            e.refs.putPage(driverPage);
        }
        e.finish();
    }

    static Stream<Arguments> erasAndBindings() {
        return Arrays.stream(Era.values())
                .flatMap(era -> Stream.of(Arguments.of(era, Binding.GENERIC), Arguments.of(era, Binding.S390)));
    }

    private static boolean charges(Era era, Binding binding) {
        return binding == Binding.GENERIC && era != Era.V4_7;
    }

    /** Maps the driver's page into a one-page vma at {@code addr}, as {@code task}. */
    private void mapAt(Task task, long addr) {
        try (var running = e.as(task)) {
            assertThat(e.spaces.mmapSpecial(task.taskStruct().mm(), addr, PAGE, VM_READ | VM_SHARED)).isEqualTo(addr);
            assertThat(e.memory.vmInsertPage(task.taskStruct().mm().vmaLookup(addr), addr, driverPage)).isZero();
        }
    }

    private PageTableCensus census(MmStruct mm) {
        return PageTableCensus.of(mm, e.memory.geometry(), e.m.memMap());
    }

    /**
     * The cgroup's {@code pagetables}: it counts the constructed tables below the pgd that are
     * charged to it, and memory.stat shows it from 5.11.
     */
    private void assertPagetablesStat(MemCgroup job, long expectedPages) {
        assertThat(job.stats().local(MemcgStatItem.NR_PAGETABLE)).isEqualTo(expectedPages);
        String stat = e.k.cgroupfs().read("/job/memory.stat");
        if (e.era == Era.V5_11 || e.era == Era.LATEST) {
            assertThat(stat).contains("\npagetables " + expectedPages * PAGE + "\n");
        } else {
            assertThat(stat).doesNotContain("pagetables");
        }
    }

    @ParameterizedTest
    @MethodSource("erasAndBindings")
    void theCgroupPaysForItsTasksPageTablesExactlyWhereTheEraAccountsThem(Era era, Binding binding) {
        e = EraMachine.boot(era, binding.module());
        MemCgroup job = e.mkdir("/job");
        Task task = e.spawn("/job");
        driverPage = e.alloc.allocPage(GFP_KERNEL);
        PageTableGeometry geo = e.memory.geometry();
        long pmdSpan = geo.tableSpan(1);
        long base = (e.spaces.taskUnmappedBase() + pmdSpan - 1) & -pmdSpan;
        boolean charged = charges(era, binding);

        mapAt(task, base);
        mapAt(task, base + geo.tableSpan(0));
        mapAt(task, base + pmdSpan);

        long grown = census(task.taskStruct().mm()).pages();
        assertThat(grown).as("the pgd and the tables below it").isGreaterThan(3);
        assertThat(e.charged("/job")).isEqualTo(charged ? grown : 0);
        assertPagetablesStat(job, charged ? census(task.taskStruct().mm()).pageBlocks() : 0);
        assertThat(e.m, driverPage).as("the driver's page is not the cgroup's").hasMemcgData(0);

        assertThat(e.spaces.munmap(task.taskStruct().mm(), base + pmdSpan, PAGE)).isZero();
        e.quiesce();

        long shrunk = census(task.taskStruct().mm()).pages();
        assertThat(shrunk).as("the third range's PTE and PMD tables are gone").isLessThan(grown);
        assertThat(e.charged("/job")).as("uncharged exactly").isEqualTo(charged ? shrunk : 0);
        assertPagetablesStat(job, charged ? census(task.taskStruct().mm()).pageBlocks() : 0);

        task.exit();
        e.quiesce();
        assertThat(e.charged("/job")).isZero();
        assertPagetablesStat(job, 0);
        assertThat(e.m, driverPage).as("only our reference is left").hasRefCount(1).hasMapcount(0);
    }
}
