package org.mmemu.it.selftests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.it.selftests.CgroupUtil.readStrcmp;
import static org.mmemu.it.selftests.CgroupUtil.valuesClose;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.it.fixture.ChargedPages;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.fs.CgroupFile;

/**
 * {@code tools/testing/selftests/cgroup/test_memcontrol.c}, the cases that charging shows. The
 * selftests' processes touch anonymous memory or page cache, which the emulator does not charge:
 * here each such process is a spawned task that charges as many kernel pages
 * ({@link ChargedPages}); what the selftest reads from {@code anon} or {@code file} in memory.stat
 * is read from {@code kernel}. A process the selftest runs to completion ({@code cg_run}) exits
 * after its check, and its pages are freed as its exit frees its anon memory.
 *
 * <p>The OOM cases run from 5.9, the first era with memory.oom.group (4.19) and with the memcg
 * OOM killer in the charge path (4.19; before, it runs only at the end of a user page fault, so
 * a kernel allocation over the limit just fails). Kernel pages do not count in
 * {@code oom_badness}, so every task weighs the same (its page tables); ties go to the last task
 * scanned, which is the allocating one, as the biggest is in the selftest.
 *
 * <p>Not ported: {@code test_memcg_min}, {@code test_memcg_low}, {@code test_memcg_reclaim},
 * {@code test_memcg_high_sync}, the page-cache halves of {@code test_memcg_high} and
 * {@code test_memcg_max} (usage brought back to the limit by reclaim) and
 * {@code test_memcg_swap_max_peak}: the emulator has no reclaim, no throttling and no swap;
 * {@code test_memcg_sock}: a TCP server and the {@code sock} statistic
 * ({@code mem_cgroup_charge_skmem}); the emulator's sockets are AF_UNIX, whose buffers are
 * charged as kernel memory.
 */
class SelftestMemcontrolTest {
    private static final long MB = 1L << 20;
    /** The OOM group selftests' parent, {@code memcg_test_0}. */
    private static final String OOM_PARENT = "/memcg_test_0";

    private static long readLong(Kernel k, String cgroup, String file) {
        return k.cgroupfs().readLong(cgroup + "/" + file);
    }

    /** The OOM group selftests' {@code memcg_test_0/memcg_test_1}: the child's path. */
    private static String mkdirParentAndChild(Kernel k) {
        String child = OOM_PARENT + "/memcg_test_1";
        k.cgroupfs().mkdir(OOM_PARENT);
        k.cgroupfs().mkdir(child);
        return child;
    }

    /**
     * The OOM selftests' limits: {@code max} in memory.max, no swap, and memory.oom.group when
     * {@code group}.
     */
    private static void limit(Kernel k, String cgroup, String max, boolean group) {
        k.cgroupfs().write(cgroup + "/memory.max", max);
        k.cgroupfs().write(cgroup + "/memory.swap.max", "0");
        if (group) {
            k.cgroupfs().write(cgroup + "/memory.oom.group", "1");
        }
    }

    /**
     * The OOM group selftests' end: one more process keeping 1M in {@code cgroup}
     * ({@code alloc_anon_noexit}), then one that charges 100M ({@code cg_run(alloc_anon)}) and
     * does not get it.
     */
    private static void oneMoreThenTooMuch(Kernel k, String cgroup, ChargedPages pages) {
        pages.add(k.spawn(cgroup), MB);
        assertThat(pages.add(k.spawn(cgroup), 100 * MB)).isFalse();
    }

    /** {@code test_memcg_subtree_control}: a child has memory only where its parent enables it. */
    @Eras(memory = "64M")
    void testMemcgSubtreeControl(Kernel k) {
        k.cgroupfs().mkdir("/memcg_test_0");
        k.cgroupfs().write("/memcg_test_0/cgroup.subtree_control", "+memory");
        k.cgroupfs().mkdir("/memcg_test_0/memcg_test_1");
        k.cgroupfs().mkdir("/memcg_test_1");
        k.cgroupfs().mkdir("/memcg_test_1/memcg_test_1");

        assertThat(k.cgroupfs().read("/memcg_test_0/memcg_test_1/cgroup.controllers")).contains("memory");
        assertThat(k.cgroupfs().read("/memcg_test_1/memcg_test_1/cgroup.controllers")).doesNotContain("memory");
    }

    /**
     * {@code alloc_anon_50M_check} and {@code alloc_pagecache_50M_check} with kernel pages: a
     * task charges 50M, memory.current is at least that and close to it (3%), and so is the
     * {@code kernel} entry of memory.stat (the anon check's 3%; the page-cache check allows 10);
     * then the task exits and its pages are freed.
     */
    private static void run50MCheck(Kernel k, String cgroup, int statErr) {
        long size = 50 * MB;
        Task t = k.spawn(cgroup);
        ChargedPages pages = ChargedPages.charge(k, t, size);
        assertThat(pages.bytes()).isEqualTo(size);
        long current = readLong(k, cgroup, "memory.current");
        assertThat(current).isGreaterThanOrEqualTo(size);
        assertThat(valuesClose(size, current, 3)).as("current %d", current).isTrue();
        long kernel = k.cgroupfs().stat(cgroup, "kernel");
        assertThat(valuesClose(kernel, current, statErr)).as("kernel %d, current %d", kernel, current).isTrue();
        t.exit();
        pages.free();
    }

    /**
     * {@code test_memcg_current_peak}: memory.peak follows memory.current, and each open
     * memory.peak that was written reports the peak since its own reset, whatever the other
     * handles do; only the latest era has memory.peak (writable from 6.12).
     */
    @Eras(value = Era.LATEST, memory = "128M", arches = {Arch.GENERIC, Arch.S390})
    void testMemcgCurrentPeak(Kernel k) {
        String cg = "/memcg_test";
        k.cgroupfs().mkdir(cg);
        assertThat(readLong(k, cg, "memory.current")).isZero();
        assertThat(readLong(k, cg, "memory.peak")).isZero();

        run50MCheck(k, cg, 3);
        assertThat(readLong(k, cg, "memory.peak")).isGreaterThanOrEqualTo(50 * MB);

        try (CgroupFile fd = k.cgroupfs().open(cg + "/memory.peak");
             CgroupFile fd3 = k.cgroupfs().open(cg + "/memory.peak")) {
            CgroupFile fd2 = k.cgroupfs().open(cg + "/memory.peak");
            fd.write("reset\n");
            fd2.write("reset\n");
            fd3.write("reset\n");
            assertThat(readLong(k, cg, "memory.peak")).as("an independent read").isGreaterThanOrEqualTo(50 * MB);
            fd2.close();
            try (CgroupFile fd4 = k.cgroupfs().open(cg + "/memory.peak")) {
                fd4.write("reset\n");
                assertThat(Long.parseLong(fd.read().trim())).isBetween(0L, 30 * MB);

                run50MCheck(k, cg, 10);

                assertThat(readLong(k, cg, "memory.peak")).isGreaterThanOrEqualTo(50 * MB);
                assertThat(Long.parseLong(fd.read().trim())).isGreaterThanOrEqualTo(50 * MB);
                assertThat(Long.parseLong(fd4.read().trim())).isGreaterThanOrEqualTo(50 * MB);
            }
        }
    }

    /**
     * {@code test_memcg_high}, its anon part: a task charges 31M under a 30M memory.high, which
     * throttles but never fails, and memory.events counts {@code high}.
     */
    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testMemcgHigh(Kernel k) {
        String cg = "/memcg_test";
        k.cgroupfs().mkdir(cg);
        assertThat(readStrcmp(k, cg, "memory.high", "max\n")).isTrue();
        k.cgroupfs().write(cg + "/memory.swap.max", "0");
        k.cgroupfs().write(cg + "/memory.high", "30M");

        Task t = k.spawn(cg);
        ChargedPages pages = ChargedPages.charge(k, t, 31 * MB);
        assertThat(pages.bytes()).isEqualTo(31 * MB);
        t.exit();

        assertThat(k.cgroupfs().event(cg, "high")).isPositive();
        pages.free();
    }

    /**
     * {@code test_memcg_max}, its anon part: a task charging 100M under a 30M memory.max does not
     * get it; from 4.19 the OOM killer kills it in the charge path (before, the charge fails and
     * the task lives on). memory.current stays within the limit, not zero, and memory.events
     * counts {@code max}. From 4.19 the victim's last charge is forced past the limit
     * ({@code try_charge}'s {@code should_force_charge}): the selftest's anon page goes with the
     * victim, but a kernel page outlives it, so the limit holds to within that one page (with the
     * generic binding the victim's freed page tables happen to make up for it; s390's are not
     * charged). The stocks are drained before the read: in 5.11 the victim's freed page tables
     * are uncharged into the per-CPU stock, which holds them until a charge drains it (the
     * selftest's next run, the page-cache one, does).
     */
    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testMemcgMax(Kernel k) {
        String cg = "/memcg_test";
        k.cgroupfs().mkdir(cg);
        assertThat(readStrcmp(k, cg, "memory.max", "max\n")).isTrue();
        limit(k, cg, "30M", false);

        Task t = k.spawn(cg);
        ChargedPages pages = ChargedPages.charge(k, t, 100 * MB);

        assertThat(pages.bytes()).isLessThan(100 * MB);
        assertThat(t.isAlive()).as("OOM-killed").isEqualTo(k.era().compareTo(Era.V5_9) < 0);
        k.drainAllStock();
        long current = readLong(k, cg, "memory.current");
        long forced = t.isAlive() ? 0 : MemMap.PAGE_SIZE;
        assertThat(current).isPositive().isLessThanOrEqualTo(30 * MB + forced);
        assertThat(k.cgroupfs().event(cg, "max")).isPositive();
        pages.free();
    }

    /** {@code test_memcg_oom_events}: one OOM, one kill, and the cgroup is empty. */
    @Eras(from = Era.V5_9, memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testMemcgOomEvents(Kernel k) {
        String cg = "/memcg_test";
        k.cgroupfs().mkdir(cg);
        limit(k, cg, "30M", false);

        ChargedPages pages = ChargedPages.charge(k, k.spawn(cg), 100 * MB);

        assertThat(pages.bytes()).isLessThan(100 * MB);
        assertThat(readStrcmp(k, cg, "cgroup.procs", "")).isTrue();
        assertThat(k.cgroupfs().event(cg, "oom")).isEqualTo(1);
        assertThat(k.cgroupfs().event(cg, "oom_kill")).isEqualTo(1);
        pages.free();
    }

    /**
     * {@code test_memcg_oom_group_leaf_events}: the leaf's memory.oom.group kills all of its
     * processes, and the parent's memory.events counts the kills (no memory_localevents). The
     * selftest's process for the parent cannot enter it (the parent enables memory for its
     * children) and is refused with EBUSY, as in the kernel.
     */
    @Eras(from = Era.V5_9, memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testMemcgOomGroupLeafEvents(Kernel k) {
        String parent = OOM_PARENT;
        String child = mkdirParentAndChild(k);
        k.cgroupfs().write(parent + "/cgroup.subtree_control", "+memory");
        limit(k, child, "50M", true);

        assertThatThrownBy(() -> k.spawn(parent)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY));
        ChargedPages pages = ChargedPages.charge(k, k.spawn(child), MB);
        oneMoreThenTooMuch(k, child, pages);

        assertThat(readStrcmp(k, child, "cgroup.procs", "")).isTrue();
        assertThat(k.cgroupfs().event(child, "oom_kill")).isPositive();
        assertThat(k.cgroupfs().event(parent, "oom_kill")).isPositive();
        pages.free();
    }

    /**
     * {@code test_memcg_oom_group_parent_events}: the parent's memory.oom.group kills the
     * processes of the parent and of its child when the parent runs out.
     */
    @Eras(from = Era.V5_9, memory = "128M", arches = {Arch.GENERIC, Arch.S390})
    void testMemcgOomGroupParentEvents(Kernel k) {
        String parent = OOM_PARENT;
        String child = mkdirParentAndChild(k);
        limit(k, parent, "80M", true);

        ChargedPages pages = ChargedPages.charge(k, k.spawn(parent), 60 * MB);
        pages.add(k.spawn(child), MB);
        oneMoreThenTooMuch(k, child, pages);

        assertThat(readStrcmp(k, child, "cgroup.procs", "")).isTrue();
        assertThat(readStrcmp(k, parent, "cgroup.procs", "")).isTrue();
        pages.free();
    }

    /**
     * {@code test_memcg_oom_group_score_events}: memory.oom.group kills every process but the one
     * with {@code oom_score_adj} -1000; {@code oom_kill} counts 3 (the victim is counted again
     * when the group is killed, as the kernel does), and the spared process is still there to
     * kill.
     */
    @Eras(from = Era.V5_9, memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testMemcgOomGroupScoreEvents(Kernel k) {
        String cg = OOM_PARENT;
        k.cgroupfs().mkdir(cg);
        limit(k, cg, "50M", true);

        Task safe = k.spawn(cg);
        ChargedPages pages = ChargedPages.charge(k, safe, MB);
        safe.setOomScoreAdj(TaskStruct.OOM_SCORE_ADJ_MIN);
        oneMoreThenTooMuch(k, cg, pages);

        assertThat(k.cgroupfs().event(cg, "oom_kill")).isEqualTo(3);
        safe.kill();
        pages.free();
    }
}
