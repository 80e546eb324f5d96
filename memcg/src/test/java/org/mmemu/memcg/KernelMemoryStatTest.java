package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.memcg.kmem.KmemPages;

/**
 * memory.stat's kernel-memory keys against what was really charged, in every era: a task in
 * /job builds an address space (a pgd and, for one anonymous fault, three page tables),
 * allocates an accounted vmalloc area and two accounted pages. Each era charges what its
 * kernel charged (4.7 only its explicit helper's pages; from 4.8 everything accounted, page
 * tables included) and itemizes what its memory.stat has keys for: {@code pagetables} from
 * 5.11, {@code kernel} and {@code vmalloc} in 6.x. Whatever the keys do not itemize is still
 * in memory.current. The machine's consistency checks run at the end.
 */
class KernelMemoryStatTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    private static final long BASE = 0x10000000L;
    private static final int PGD = 1;
    /** PUD, PMD and PTE tables for one fault in a fresh x86-64 address space. */
    private static final int TABLES = 3;
    private static final int VMALLOC = 5;
    private static final int KMEM_PAGES = 2;

    private TestMachine m;

    @AfterEach
    void verify() {
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(TestEra.class)
    void theKernelKeysAddUpToTheChargedPages(TestEra era) {
        m = TestMachine.boot(MemoryConfig.of("64M"), era.module());
        Cgroups cgroups = m.get(Cgroups.class);
        ChargeStock stock = m.get(ChargeStock.class);
        MemoryStat stat = m.get(MemoryStat.class);
        AddressSpaces spaces = m.get(AddressSpaces.class);
        Vmalloc vmalloc = m.get(Vmalloc.class);
        KmemPages kmemPages = m.get(KmemPages.class);
        MemCgroup job = cgroups.mkdir("/job");
        TaskStruct writer = m.tasks().create("writer", new MmStruct());
        cgroups.attach(writer, job);

        MmStruct mm;
        long area;
        List<Page> pages;
        try (Tasks.TaskScope s = m.tasks().enter(writer)) {
            mm = spaces.mmAlloc();
            spaces.mmapAnonymous(mm, BASE, PAGE, VM_READ | VM_WRITE);
            assertThat(m.get(MemoryMapping.class).handleAnonFault(mm.vmaLookup(BASE), BASE)).isZero();
            area = vmalloc.vmalloc((long) VMALLOC * PAGE, GFP_KERNEL_ACCOUNT);
            pages = List.of(kmemPages.allocKmemPages(GFP_KERNEL_ACCOUNT, 0),
                    kmemPages.allocKmemPages(GFP_KERNEL_ACCOUNT, 0));
        }

        // 4.7's page tables are not accounted (PGALLOC_GFP gained __GFP_ACCOUNT in 4.8); its
        // vmalloc pages are, through alloc_kmem_pages.
        boolean tablesAccounted = era != TestEra.V4_7;
        long charged = KMEM_PAGES + VMALLOC + (tablesAccounted ? PGD + TABLES : 0);
        assertThat(job.memory().read() - stock.stockedPagesOf(job)).as("memory.current less the stock")
                .isEqualTo(charged);
        Map<String, Long> keys = kernelKeys(stat, job);
        Map<String, Long> expected = new LinkedHashMap<>();
        for (String key : keys.keySet()) {
            expected.put(key, 0L);
        }
        if (keys.containsKey("pagetables")) {
            expected.put("pagetables", (long) TABLES * PAGE);
        }
        if (keys.containsKey("vmalloc")) {
            expected.put("vmalloc", (long) VMALLOC * PAGE);
        }
        if (keys.containsKey("kernel")) {
            expected.put("kernel", charged * PAGE);
        }
        assertThat(keys).as("%s's kernel-memory keys", era).isEqualTo(expected);

        spaces.mmput(mm);
        vmalloc.vfree(area);
        pages.forEach(p -> kmemPages.freeKmemPages(p, 0));
        assertThat(kernelKeys(stat, job).values()).allMatch(v -> v == 0);
        assertThat(job.memory().read() - stock.stockedPagesOf(job)).isZero();
        m.get(CgroupTree.class).exit(writer);
        cgroups.rmdir(job);
    }

    /** The era's kernel-memory keys of memory.stat, in print order, with their values. */
    private static Map<String, Long> kernelKeys(MemoryStat stat, MemCgroup memcg) {
        List<String> kernel = List.of("kernel", "kernel_stack", "pagetables", "sec_pagetables", "percpu",
                "sock", "vmalloc", "slab", "slab_reclaimable", "slab_unreclaimable");
        Map<String, Long> keys = new LinkedHashMap<>();
        for (String line : stat.show(memcg).split("\n")) {
            String[] kv = line.split(" ");
            if (kernel.contains(kv[0])) {
                keys.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return keys;
    }
}
