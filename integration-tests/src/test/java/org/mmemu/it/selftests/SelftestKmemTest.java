package org.mmemu.it.selftests;

import static org.assertj.core.api.Assertions.assertThat;

import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Cpus;
import org.mmemu.it.fixture.ChargedPages;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;

/**
 * {@code tools/testing/selftests/cgroup/test_kmem.c}, with kernel pages ({@link ChargedPages})
 * in place of the negative dentries the selftest allocates: like them, the pages outlive the
 * processes that charged them and the cgroups they were charged in.
 *
 * <p>Not ported: {@code test_kmem_basic} (its dentries are reclaimed under a 1M memory.high:
 * the emulator has slab but no reclaim and no shrinkable caches), {@code test_kmem_kernel_stacks}
 * (no threads or kernel stacks), {@code test_percpu_basic} (1000 child cgroups whose
 * {@code mem_cgroup} per-CPU data is charged to the parent from 5.9: the emulator's percpu
 * allocator serves per-CPU BPF maps only, and a cgroup's own structures are no emulated
 * allocation) and {@code test_kmem_proc_kpagecgroup} (no /proc, and no charged anon memory).
 */
class SelftestKmemTest {
    private static final String CHILD = "/child";

    /** {@code MAX_VMSTAT_ERROR}: a charge batch of 64 pages per CPU. */
    private static long maxVmstatError(Kernel k) {
        return MemMap.PAGE_SIZE * 64 * k.get(Cpus.class).nrCpus();
    }

    /**
     * {@code cg_run_in_subcgroups(parent, fn, times)}: child cgroups made one after another, in
     * each a process that runs {@code fn} (here: {@code tasks} processes, as the selftest's
     * threads, each charging a page) and exits, then the child is removed.
     */
    private static ChargedPages runInSubcgroups(Kernel k, String parent, int tasks, int times) {
        ChargedPages pages = ChargedPages.none(k);
        for (int i = 0; i < times; i++) {
            String child = parent + CHILD + i;
            k.cgroupfs().mkdir(child);
            for (int t = 0; t < tasks; t++) {
                Task task = k.spawn(child);
                pages.add(task, MemMap.PAGE_SIZE);
                task.exit();
            }
            k.cgroupfs().rmdir(child);
        }
        return pages;
    }

    /**
     * {@code test_kmem_memcg_deletion}: after 100 child cgroups charged kernel memory from
     * 2 × NR_CPUS processes each and were removed, the parent's memory.current is
     * {@code anon + file + kernel + sock} of its memory.stat within {@code MAX_VMSTAT_ERROR}.
     * memory.stat's {@code kernel} entry is the latest era's (5.18).
     */
    @Eras(value = Era.LATEST, memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testKmemMemcgDeletion(Kernel k) {
        String parent = "/kmem_memcg_deletion_test";
        k.cgroupfs().mkdir(parent);
        k.cgroupfs().write(parent + "/cgroup.subtree_control", "+memory");

        ChargedPages pages = runInSubcgroups(k, parent, 2 * k.get(Cpus.class).nrCpus(), 100);

        long current = k.cgroupfs().readLong(parent + "/memory.current");
        long sum = k.cgroupfs().stat(parent, "anon") + k.cgroupfs().stat(parent, "file")
                + k.cgroupfs().stat(parent, "kernel") + k.cgroupfs().stat(parent, "sock");
        assertThat(Math.abs(sum - current)).as("current %d, anon + file + kernel + sock %d", current, sum)
                .isLessThan(maxVmstatError(k));
        pages.free();
    }

    /**
     * {@code test_kmem_dead_cgroups}: 30 child cgroups charged kernel memory and were removed;
     * then the parent has no dying descendants. The selftest's dentries are slab objects, which
     * are reparented from 5.9; kernel pages are reparented only in the latest era (obj_cgroup,
     * 5.14): before, each still points at its removed cgroup, which stays dying until the page is
     * freed, as in those kernels. The stocks are drained first, which is what the selftest's wait
     * for the dying cgroups to go gives the kernel time to do.
     */
    @Eras(from = Era.V4_18, memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testKmemDeadCgroups(Kernel k) {
        String parent = "/kmem_dead_cgroups_test";
        k.cgroupfs().mkdir(parent);
        k.cgroupfs().write(parent + "/cgroup.subtree_control", "+memory");

        ChargedPages pages = runInSubcgroups(k, parent, 1, 30);
        k.drainAllStock();

        long pinned = k.era() == Era.LATEST ? 0 : 30;
        assertThat(dyingDescendants(k, parent)).isEqualTo(pinned);
        pages.free();
        k.drainAllStock();
        assertThat(dyingDescendants(k, parent)).isZero();
    }

    private static long dyingDescendants(Kernel k, String cgroup) {
        for (String line : k.cgroupfs().read(cgroup + "/cgroup.stat").split("\n")) {
            if (line.startsWith("nr_dying_descendants ")) {
                return Long.parseLong(line.substring(line.indexOf(' ') + 1));
            }
        }
        throw new AssertionError(cgroup + "/cgroup.stat has no nr_dying_descendants");
    }
}
