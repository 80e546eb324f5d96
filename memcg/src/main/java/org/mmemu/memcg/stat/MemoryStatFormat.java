package org.mmemu.memcg.stat;

import static org.mmemu.memcg.stat.MemcgStatItem.*;

import java.util.List;
import java.util.stream.Stream;

/**
 * The layout of {@code memory.stat} in each era: which keys, in which order, from which
 * counters (mm/memcontrol.c {@code memory_stat_show} of 4.8 and 4.18, the open-coded
 * {@code memory_stat_format} of 5.9, {@code memory_stats[]} and {@code memory_stat_format} of
 * 5.10, 5.11 and 6.13). Tools find keys by substring search,
 * so the order is part of the format.
 *
 * <p>The emulated kernel configuration is fixed and decides the conditional keys:
 * {@code CONFIG_SWAP=y}; {@code CONFIG_TRANSPARENT_HUGEPAGE}, {@code CONFIG_ZSWAP},
 * {@code CONFIG_NUMA_BALANCING} and {@code CONFIG_MEMCG_V1} off; cgroup2 mounted without
 * {@code memory_hugetlb_accounting} (so no {@code hugetlb} key). The 4.x layouts have no
 * conditional keys.
 *
 * <p>Negative sums (an uncharge without a charge, as the helper era's {@code put_page} makes)
 * print as 0: 4.x clamps each cgroup's value before adding up the subtree, later kernels clamp
 * the subtree's total.
 */
public enum MemoryStatFormat {
    /** 4.6 to 4.8. */
    V4_8("memstat.V4_8", true, v4(false)),
    /** 4.18 and 4.19: 4.8's keys plus {@code shmem}, the reclaim events and the workingset counts. */
    V4_18("memstat.V4_18", true, v4(true)),
    /**
     * 5.9: the keys of 5.10 printed one by one, so {@code slab} and {@code percpu} follow
     * {@code kernel_stack} and the fault events precede the workingset counts.
     */
    V5_9("memstat.V5_9", false, concat(anonFileStack(), List.of(
            slabTotal(),
            state("percpu", MEMCG_PERCPU_B),
            state("sock", MEMCG_SOCK),
            state("shmem", NR_SHMEM)), fileLruAndSlab(), faultEvents(), workingset(), reclaimEvents())),
    /** 5.10: the {@code memory_stats[]} table, {@code slab} after its two halves. */
    V5_10("memstat.V5_10", false, v5(false)),
    /** 5.11: adds {@code pagetables}. */
    V5_11("memstat.V5_11", false, v5(true)),
    /** 6.13. */
    LATEST("memstat.Latest", false, concat(List.of(
            state("anon", NR_ANON_MAPPED),
            state("file", NR_FILE_PAGES),
            state("kernel", MEMCG_KMEM),
            state("kernel_stack", NR_KERNEL_STACK_KB),
            state("pagetables", NR_PAGETABLE),
            state("sec_pagetables", NR_SECONDARY_PAGETABLE),
            state("percpu", MEMCG_PERCPU_B),
            state("sock", MEMCG_SOCK),
            state("vmalloc", MEMCG_VMALLOC),
            state("shmem", NR_SHMEM),
            state("file_mapped", NR_FILE_MAPPED),
            state("file_dirty", NR_FILE_DIRTY),
            state("file_writeback", NR_WRITEBACK),
            state("swapcached", NR_SWAPCACHE),
            state("inactive_anon", NR_INACTIVE_ANON),
            state("active_anon", NR_ACTIVE_ANON),
            state("inactive_file", NR_INACTIVE_FILE),
            state("active_file", NR_ACTIVE_FILE),
            state("unevictable", NR_UNEVICTABLE),
            state("slab_reclaimable", NR_SLAB_RECLAIMABLE_B),
            state("slab_unreclaimable", NR_SLAB_UNRECLAIMABLE_B)), slabAndWorkingset(), List.of(
            state("pgdemote_kswapd", PGDEMOTE_KSWAPD),
            state("pgdemote_direct", PGDEMOTE_DIRECT),
            state("pgdemote_khugepaged", PGDEMOTE_KHUGEPAGED),
            event("pgscan", PGSCAN_KSWAPD, PGSCAN_DIRECT, PGSCAN_KHUGEPAGED),
            event("pgsteal", PGSTEAL_KSWAPD, PGSTEAL_DIRECT, PGSTEAL_KHUGEPAGED),
            event("pswpin", PSWPIN),
            event("pswpout", PSWPOUT),
            event("pgscan_kswapd", PGSCAN_KSWAPD),
            event("pgscan_direct", PGSCAN_DIRECT),
            event("pgscan_khugepaged", PGSCAN_KHUGEPAGED),
            event("pgsteal_kswapd", PGSTEAL_KSWAPD),
            event("pgsteal_direct", PGSTEAL_DIRECT),
            event("pgsteal_khugepaged", PGSTEAL_KHUGEPAGED),
            event("pgfault", PGFAULT),
            event("pgmajfault", PGMAJFAULT),
            event("pgrefill", PGREFILL),
            event("pgactivate", PGACTIVATE),
            event("pgdeactivate", PGDEACTIVATE),
            event("pglazyfree", PGLAZYFREE),
            event("pglazyfreed", PGLAZYFREED),
            event("swpin_zero", SWPIN_ZERO),
            event("swpout_zero", SWPOUT_ZERO))));

    /**
     * One {@code key value} line: the sum of {@code items} (each in its unit).
     *
     * @param event a cumulative event count (never clamped) rather than a state
     */
    public record Line(String key, boolean event, List<MemcgStatItem> items) {
        /**
         * memory.numa_stat has this line: a state entry of {@code memory_stats[]} whose item is
         * a node item (sums such as {@code slab} are printed beside the table, not in it).
         */
        public boolean numaStat() {
            return !event && items.size() == 1 && items.get(0).nodeStat();
        }
    }

    private final String policyName;
    private final boolean clampPerCgroup;
    private final List<Line> lines;

    MemoryStatFormat(String policyName, boolean clampPerCgroup, List<Line> lines) {
        this.policyName = policyName;
        this.clampPerCgroup = clampPerCgroup;
        this.lines = lines;
    }

    /** The dotted policy name. */
    public String policyName() {
        return policyName;
    }

    /** Whether each cgroup's value is clamped at 0 before the subtree is summed (4.x). */
    public boolean clampPerCgroup() {
        return clampPerCgroup;
    }

    /** The lines in print order. */
    public List<Line> lines() {
        return lines;
    }

    private static List<Line> v4(boolean v418) {
        List<Line> head = concat(anonFileStack(), List.of(slabTotal(), state("sock", MEMCG_SOCK)));
        if (!v418) {
            return concat(head, fileLruAndSlab(), faultEvents());
        }
        // One node item each in 4.18 (memory_stat_show); 5.10 splits refault and activate by LRU.
        List<Line> workingset = List.of(
                state("workingset_refault", WORKINGSET_REFAULT_ANON, WORKINGSET_REFAULT_FILE),
                state("workingset_activate", WORKINGSET_ACTIVATE_ANON, WORKINGSET_ACTIVATE_FILE),
                state("workingset_nodereclaim", WORKINGSET_NODERECLAIM));
        return concat(head, List.of(state("shmem", NR_SHMEM)), fileLruAndSlab(), faultEvents(),
                reclaimEvents(), workingset);
    }

    private static List<Line> v5(boolean pagetables) {
        return concat(anonFileStack(),
                pagetables ? List.of(state("pagetables", NR_PAGETABLE)) : List.of(),
                List.of(
                        state("percpu", MEMCG_PERCPU_B),
                        state("sock", MEMCG_SOCK),
                        state("shmem", NR_SHMEM)),
                fileLruAndSlab(), slabAndWorkingset(), faultEvents(), reclaimEvents());
    }

    /** The first three keys from 4.8 to 5.11. */
    private static List<Line> anonFileStack() {
        return List.of(
                state("anon", NR_ANON_MAPPED),
                state("file", NR_FILE_PAGES),
                state("kernel_stack", NR_KERNEL_STACK_KB));
    }

    /** {@code slab}: the sum of the reclaimable and unreclaimable slab bytes. */
    private static Line slabTotal() {
        return state("slab", NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B);
    }

    /** The file page states, the LRU lists and the slab split: one run from 4.8 to 5.11. */
    private static List<Line> fileLruAndSlab() {
        return List.of(
                state("file_mapped", NR_FILE_MAPPED),
                state("file_dirty", NR_FILE_DIRTY),
                state("file_writeback", NR_WRITEBACK),
                state("inactive_anon", NR_INACTIVE_ANON),
                state("active_anon", NR_ACTIVE_ANON),
                state("inactive_file", NR_INACTIVE_FILE),
                state("active_file", NR_ACTIVE_FILE),
                state("unevictable", NR_UNEVICTABLE),
                state("slab_reclaimable", NR_SLAB_RECLAIMABLE_B),
                state("slab_unreclaimable", NR_SLAB_UNRECLAIMABLE_B));
    }

    /** The slab total and the per-LRU workingset counts, as 5.10 to 6.13 print them. */
    private static List<Line> slabAndWorkingset() {
        return concat(List.of(slabTotal()), workingset());
    }

    /** The per-LRU workingset counts (5.9+). */
    private static List<Line> workingset() {
        return List.of(
                state("workingset_refault_anon", WORKINGSET_REFAULT_ANON),
                state("workingset_refault_file", WORKINGSET_REFAULT_FILE),
                state("workingset_activate_anon", WORKINGSET_ACTIVATE_ANON),
                state("workingset_activate_file", WORKINGSET_ACTIVATE_FILE),
                state("workingset_restore_anon", WORKINGSET_RESTORE_ANON),
                state("workingset_restore_file", WORKINGSET_RESTORE_FILE),
                state("workingset_nodereclaim", WORKINGSET_NODERECLAIM));
    }

    private static List<Line> faultEvents() {
        return List.of(event("pgfault", PGFAULT), event("pgmajfault", PGMAJFAULT));
    }

    /** The reclaim events after the fault (and 5.9's workingset) lines, from 4.18 to 5.11. */
    private static List<Line> reclaimEvents() {
        return List.of(
                event("pgrefill", PGREFILL),
                event("pgscan", PGSCAN_KSWAPD, PGSCAN_DIRECT),
                event("pgsteal", PGSTEAL_KSWAPD, PGSTEAL_DIRECT),
                event("pgactivate", PGACTIVATE),
                event("pgdeactivate", PGDEACTIVATE),
                event("pglazyfree", PGLAZYFREE),
                event("pglazyfreed", PGLAZYFREED));
    }

    @SafeVarargs
    private static List<Line> concat(List<Line>... runs) {
        return Stream.of(runs).flatMap(List::stream).toList();
    }

    private static Line state(String key, MemcgStatItem... items) {
        return new Line(key, false, List.of(items));
    }

    private static Line event(String key, MemcgStatItem... items) {
        return new Line(key, true, List.of(items));
    }
}
