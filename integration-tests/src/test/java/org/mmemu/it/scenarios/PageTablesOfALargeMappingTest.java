package org.mmemu.it.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.it.scenarios.Counters.charged;

import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.core.cred.Prlimit;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.testing.contract.PageTableCensus;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;

/**
 * An 8 MiB mmapable BPF array mapped whole, by its creator in {@code /a}, by the child it forks
 * ({@code copy_page_range} copies the map's {@code VM_MIXEDMAP} entries into tables allocated as
 * the child, kernel/fork.c {@code dup_mmap}), and by that child again once it lives in
 * {@code /b}. The map's pages are its creator's cgroup's (from 5.11, {@code bpf_map_area_alloc}
 * with {@code __GFP_ACCOUNT}); the page tables that map them are charged to the cgroup of the
 * task they are allocated for, exactly the pages the tables occupy, with the generic (x86)
 * binding ({@code GFP_PGTABLE_USER}), and in no era with s390's ({@code GFP_KERNEL} CRST tables
 * and 2K fragments, arch/s390/mm/pgalloc.c, up to 6.17). Unmapping frees the tables, and the map goes with its
 * last mapping.
 */
class PageTablesOfALargeMappingTest {
    private static final int VALUE = MemMap.PAGE_SIZE;
    private static final int ENTRIES = 2048;
    private static final long SIZE = (long) VALUE * ENTRIES;

    /** The pages {@code t}'s page tables occupy, as a walk of them counts. */
    private static long tablePages(Kernel k, Task t) {
        return PageTableCensus.of(t.taskStruct().mm(), k.get(MemoryMapping.class).geometry(), k.get(MemMap.class))
                .pages();
    }

    /** What a cgroup must be charged for {@code pages} of page tables on {@code arch}. */
    private static long tableCharge(Arch arch, long pages) {
        return arch == Arch.GENERIC ? pages * MemMap.PAGE_SIZE : 0;
    }

    @Eras(from = Era.V5_9, memory = "128M", arches = {Arch.GENERIC, Arch.S390})
    void eachMappersCgroupPaysForItsOwnTablesAndTheCreatorsForTheMap(Kernel k, Arch arch) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task creator = k.spawn("/a");
        try (var running = k.enter(creator)) {          // as libbpf does, for up to 5.10's memlock charge
            assertThat(k.get(Prlimit.class).setrlimit(creator.taskStruct(), Rlimits.RLIMIT_MEMLOCK,
                    Rlimits.RLIM_INFINITY, Rlimits.RLIM_INFINITY)).isZero();
        }
        long a0 = charged(k, "/a");
        int fd = creator.bpfMapCreate(BpfMapType.ARRAY, Integer.BYTES, VALUE, ENTRIES, BpfMapFlags.MMAPABLE);
        long map = charged(k, "/a") - a0;
        assertThat(map).as("the map's area, charged from 5.11")
                .isGreaterThanOrEqualTo(k.era().compareTo(Era.V5_11) >= 0 ? SIZE : 0);

        long tables0 = tablePages(k, creator);
        long addr = creator.mmap(fd, SIZE);
        creator.writeMemory(addr + SIZE - 8, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        long mapped = tablePages(k, creator) - tables0;
        assertThat(mapped).as("tables for 8 MiB").isGreaterThan(2);
        assertThat(charged(k, "/a") - a0 - map).as("the creator's new tables").isEqualTo(tableCharge(arch, mapped));

        long beforeFork = charged(k, "/a");
        Task child = creator.fork();
        assertThat(tablePages(k, child)).as("the child's copy maps the map too").isGreaterThanOrEqualTo(mapped);
        assertThat(charged(k, "/a") - beforeFork).as("the child's tables, allocated as the child in /a")
                .isEqualTo(tableCharge(arch, tablePages(k, child)));
        assertThat(child.readMemory(addr + SIZE - 8, 8)).isEqualTo(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        child.munmap(addr, SIZE);
        child.moveTo("/b");
        long b0 = charged(k, "/b");
        long childTables0 = tablePages(k, child);

        long again = child.mmap(fd, SIZE);
        child.writeMemory(again, new byte[] {9});
        long childMapped = tablePages(k, child) - childTables0;
        assertThat(charged(k, "/b") - b0).as("the moved child's new tables are /b's")
                .isEqualTo(tableCharge(arch, childMapped));

        creator.munmap(addr, SIZE);
        creator.close(fd);
        creator.exit();
        child.close(fd);
        assertThat(charged(k, "/a")).as("the map lives on in the child's mapping, charged to its creator's cgroup")
                .isEqualTo(map + tableCharge(arch, childTables0));
        child.munmap(again, SIZE);
        assertThat(charged(k, "/b")).as("unmapped, the child's tables are uncharged").isEqualTo(b0);
        assertThat(charged(k, "/a")).as("the last mapping gone, so is the map")
                .isEqualTo(tableCharge(arch, childTables0));
        child.exit();
        assertThat(charged(k, "/a")).isZero();
        assertThat(charged(k, "/b")).isZero();
    }
}
