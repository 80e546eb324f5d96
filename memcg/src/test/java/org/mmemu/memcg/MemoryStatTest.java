package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.stat.MemcgStatItem;
import org.mmemu.memcg.stat.MemoryStatFormat;

class MemoryStatTest {
    private final List<MemcgMachine> machines = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        machines.forEach(MemcgMachine::assertNoLeaks);
    }

    private MemcgMachine boot(MemoryStatFormat format) {
        MemcgMachine m = MemcgMachine.boot(binder ->
                policyBinder(binder, MemoryStatFormat.class).select(format.policyName()));
        machines.add(m);
        return m;
    }

    private static String zeros(String... keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            sb.append(k).append(" 0\n");
        }
        return sb.toString();
    }

    private static final String[] V4_HEAD = {"anon", "file", "kernel_stack", "slab", "sock"};
    private static final String[] V4_MIDDLE = {"file_mapped", "file_dirty", "file_writeback",
        "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable", "slab_reclaimable",
        "slab_unreclaimable", "pgfault", "pgmajfault"};

    @Test
    void v48AndV418LayoutsOfAnIdleCgroup() {
        MemcgMachine m48 = boot(MemoryStatFormat.V4_8);
        MemcgMachine m418 = boot(MemoryStatFormat.V4_18);
        MemCgroup job48 = m48.cgroups.mkdir("/job");
        MemCgroup job418 = m418.cgroups.mkdir("/job");
        assertThat(m48.injector.getInstance(MemoryStat.class).show(job48))
                .isEqualTo(zeros(V4_HEAD) + zeros(V4_MIDDLE));
        assertThat(m418.injector.getInstance(MemoryStat.class).show(job418)).isEqualTo(zeros(V4_HEAD)
                + zeros("shmem") + zeros(V4_MIDDLE) + zeros("pgrefill", "pgscan", "pgsteal", "pgactivate",
                "pgdeactivate", "pglazyfree", "pglazyfreed", "workingset_refault", "workingset_activate",
                "workingset_nodereclaim"));
        m48.cgroups.rmdir(job48);
        m418.cgroups.rmdir(job418);
    }

    @Test
    void v418PrintsShmemInBytesAndSumsTheSplitCounters() {
        MemcgMachine m = boot(MemoryStatFormat.V4_18);
        MemCgroup job = m.cgroups.mkdir("/job");
        job.stats().mod(MemcgStatItem.NR_SHMEM, 2);
        job.stats().mod(MemcgStatItem.PGSCAN_KSWAPD, 3);
        job.stats().mod(MemcgStatItem.PGSCAN_DIRECT, 4);
        job.stats().mod(MemcgStatItem.WORKINGSET_REFAULT_ANON, 5);
        job.stats().mod(MemcgStatItem.WORKINGSET_REFAULT_FILE, 6);
        job.stats().mod(MemcgStatItem.WORKINGSET_ACTIVATE_FILE, 1);
        assertThat(m.injector.getInstance(MemoryStat.class).show(job)).contains("\nshmem 8192\n",
                "\npgscan 7\n", "\nworkingset_refault 11\n", "\nworkingset_activate 1\n");
        m.cgroups.rmdir(job);
    }

    private static final String[] V5_HEAD = {"anon", "file", "kernel_stack"};
    private static final String[] V5_TAIL = {"percpu", "sock", "shmem", "file_mapped", "file_dirty",
        "file_writeback", "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable",
        "slab_reclaimable", "slab_unreclaimable", "slab", "workingset_refault_anon",
        "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
        "workingset_restore_anon", "workingset_restore_file", "workingset_nodereclaim", "pgfault",
        "pgmajfault", "pgrefill", "pgscan", "pgsteal", "pgactivate", "pgdeactivate", "pglazyfree",
        "pglazyfreed"};

    @Test
    void v510AndV511Layouts() {
        MemcgMachine m510 = boot(MemoryStatFormat.V5_10);
        MemcgMachine m511 = boot(MemoryStatFormat.V5_11);
        assertThat(m510.injector.getInstance(MemoryStat.class).show(m510.tree.root()))
                .isEqualTo(zeros(V5_HEAD) + zeros(V5_TAIL));
        assertThat(m511.injector.getInstance(MemoryStat.class).show(m511.tree.root()))
                .isEqualTo(zeros(V5_HEAD) + zeros("pagetables") + zeros(V5_TAIL));
    }

    @Test
    void v59PrintsSlabAndPercpuAfterKernelStackAndTheFaultsBeforeTheWorkingset() {
        MemcgMachine m = boot(MemoryStatFormat.V5_9);
        MemCgroup job = m.cgroups.mkdir("/job");
        job.stats().mod(MemcgStatItem.NR_SLAB_RECLAIMABLE_B, 100);
        job.stats().mod(MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B, 300);
        job.stats().mod(MemcgStatItem.PGFAULT, 2);
        assertThat(m.injector.getInstance(MemoryStat.class).show(job)).isEqualTo(
                zeros("anon", "file", "kernel_stack") + "slab 400\n"
                + zeros("percpu", "sock", "shmem", "file_mapped", "file_dirty", "file_writeback",
                        "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable")
                + "slab_reclaimable 100\nslab_unreclaimable 300\npgfault 2\n"
                + zeros("pgmajfault", "workingset_refault_anon", "workingset_refault_file",
                        "workingset_activate_anon", "workingset_activate_file", "workingset_restore_anon",
                        "workingset_restore_file", "workingset_nodereclaim", "pgrefill", "pgscan", "pgsteal",
                        "pgactivate", "pgdeactivate", "pglazyfree", "pglazyfreed"));
        m.cgroups.rmdir(job);
    }

    @Test
    void numaStatOf510IsItsTableOfNodeItems() {
        MemcgMachine m = boot(MemoryStatFormat.V5_10);
        MemCgroup job = m.cgroups.mkdir("/job");
        job.stats().mod(MemcgStatItem.NR_KERNEL_STACK_KB, 8);
        job.stats().mod(MemcgStatItem.MEMCG_PERCPU_B, 64);
        assertThat(m.injector.getInstance(MemoryStat.class).numaStat(job)).isEqualTo("anon N0=0\nfile N0=0\n"
                + "kernel_stack N0=8192\n" + numaZeros("shmem", "file_mapped", "file_dirty", "file_writeback",
                "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable",
                "slab_reclaimable", "slab_unreclaimable", "workingset_refault_anon", "workingset_refault_file",
                "workingset_activate_anon", "workingset_activate_file", "workingset_restore_anon",
                "workingset_restore_file", "workingset_nodereclaim"));
        m.cgroups.rmdir(job);
    }

    private static String numaZeros(String... keys) {
        return zeros(keys).replace(" 0\n", " N0=0\n");
    }

    @Test
    void latestLayout() {
        MemcgMachine m = boot(MemoryStatFormat.LATEST);
        assertThat(m.injector.getInstance(MemoryStat.class).show(m.tree.root())).isEqualTo(zeros(
                "anon", "file", "kernel", "kernel_stack", "pagetables", "sec_pagetables", "percpu",
                "sock", "vmalloc", "shmem", "file_mapped", "file_dirty", "file_writeback", "swapcached",
                "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable",
                "slab_reclaimable", "slab_unreclaimable", "slab", "workingset_refault_anon",
                "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
                "workingset_restore_anon", "workingset_restore_file", "workingset_nodereclaim",
                "pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged", "pgscan", "pgsteal",
                "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct", "pgscan_khugepaged",
                "pgsteal_kswapd", "pgsteal_direct", "pgsteal_khugepaged", "pgfault", "pgmajfault",
                "pgrefill", "pgactivate", "pgdeactivate", "pglazyfree", "pglazyfreed", "swpin_zero",
                "swpout_zero"));
    }

    @Test
    void valuesAreInBytesAndSumTheSubtreeIncludingRemovedCgroups() {
        MemcgMachine m = boot(MemoryStatFormat.LATEST);
        MemoryStat stat = m.injector.getInstance(MemoryStat.class);
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup a = m.cgroups.mkdir(job, "a");
        MemCgroup b = m.cgroups.mkdir(job, "b");
        a.stats().mod(MemcgStatItem.NR_KERNEL_STACK_KB, 16);
        b.stats().mod(MemcgStatItem.NR_SLAB_RECLAIMABLE_B, 100);
        b.stats().mod(MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B, 300);
        job.stats().mod(MemcgStatItem.NR_PAGETABLE, 2);
        job.stats().mod(MemcgStatItem.PGFAULT, 7);
        b.cssGet(1);
        m.cgroups.rmdir(b);
        String text = stat.show(job);
        assertThat(text).contains("\nkernel_stack 16384\n", "\npagetables 8192\n",
                "\nslab_reclaimable 100\n", "\nslab_unreclaimable 300\n", "\nslab 400\n", "\npgfault 7\n");
        assertThat(stat.show(a)).contains("\nkernel_stack 16384\n", "\npagetables 0\n");
        b.cssPut(1);
        assertThat(b.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(stat.show(job)).as("a released child's counts live on in its parent").contains("\nslab 400\n");
        m.cgroups.rmdir(a);
        m.cgroups.rmdir(job);
    }

    @Test
    void negativeCountsClampPerCgroupIn4xAndOnTheTotalLater() {
        MemcgMachine m48 = boot(MemoryStatFormat.V4_8);
        MemcgMachine m418 = boot(MemoryStatFormat.V4_18);
        MemcgMachine latest = boot(MemoryStatFormat.LATEST);
        for (MemcgMachine m : List.of(m48, m418, latest)) {
            MemCgroup job = m.cgroups.mkdir("/job");
            MemCgroup a = m.cgroups.mkdir(job, "a");
            job.stats().mod(MemcgStatItem.NR_FILE_PAGES, -1);
            a.stats().mod(MemcgStatItem.NR_FILE_PAGES, 2);
            String file = m.injector.getInstance(MemoryStat.class).show(job).lines()
                    .filter(l -> l.startsWith("file ")).findFirst().orElseThrow();
            assertThat(file).isEqualTo(m == latest ? "file 4096" : "file 8192");
            job.stats().mod(MemcgStatItem.NR_FILE_PAGES, 3);
            assertThat(m.injector.getInstance(MemoryStat.class).show(a)).startsWith("anon 0\nfile 8192\n");
            job.stats().mod(MemcgStatItem.NR_FILE_PAGES, -2);
            a.stats().mod(MemcgStatItem.NR_FILE_PAGES, -2);
            m.cgroups.rmdir(a);
            m.cgroups.rmdir(job);
        }
    }

    @Test
    void theKernelKeyAddsUpToTheKmemChargedPages() {
        MemcgMachine m = boot(MemoryStatFormat.LATEST);
        MemoryStat stat = m.injector.getInstance(MemoryStat.class);
        MemCgroup job = m.cgroups.mkdir("/job");
        TaskStruct t = m.userTask("t", job);
        List<Page> pages = new ArrayList<>();
        try (var s = m.tasks.enter(t)) {
            for (int i = 0; i < 5; i++) {
                pages.add(m.alloc.allocPage(GFP_KERNEL_ACCOUNT));
            }
            m.objcgs.charge(job.objcg(), GFP_KERNEL_ACCOUNT, 6000);
        }
        long charged = job.memory().read() - m.stock.stockedPagesOf(job);
        assertThat(stat.value(job, line(stat, "kernel"))).isEqualTo(charged * 4096).isEqualTo(7 * 4096);
        pages.forEach(m.refs::putPage);
        m.objcgs.uncharge(job.objcg(), 6000);
        m.stock.drainAll(m.tree.root());
        assertThat(stat.value(job, line(stat, "kernel"))).isZero();
        m.tree.exit(t);
        m.cgroups.rmdir(job);
    }

    private static MemoryStatFormat.Line line(MemoryStat stat, String key) {
        return stat.format().lines().stream().filter(l -> l.key().equals(key)).findFirst().orElseThrow();
    }
}
