package org.mmemu.memcg.stat;

import org.mmemu.core.page.MemMap;

/**
 * The per-memcg statistics ({@code enum node_stat_item} / {@code memcg_stat_item} /
 * {@code vm_event_item} entries a memcg tracks), each with the unit it is counted in. Which of
 * them {@code memory.stat} prints, under which key and in which order, depends on the era.
 */
public enum MemcgStatItem {
    NR_ANON_MAPPED(Unit.PAGES),
    NR_FILE_PAGES(Unit.PAGES),
    /** {@code MEMCG_KMEM}: every kernel page charged to the cgroup (latest: "kernel"). */
    MEMCG_KMEM(Unit.PAGES),
    NR_KERNEL_STACK_KB(Unit.KB),
    NR_PAGETABLE(Unit.PAGES),
    NR_SECONDARY_PAGETABLE(Unit.PAGES),
    MEMCG_PERCPU_B(Unit.BYTES),
    MEMCG_SOCK(Unit.PAGES),
    MEMCG_VMALLOC(Unit.PAGES),
    NR_SHMEM(Unit.PAGES),
    NR_FILE_MAPPED(Unit.PAGES),
    NR_FILE_DIRTY(Unit.PAGES),
    NR_WRITEBACK(Unit.PAGES),
    NR_SWAPCACHE(Unit.PAGES),
    NR_INACTIVE_ANON(Unit.PAGES),
    NR_ACTIVE_ANON(Unit.PAGES),
    NR_INACTIVE_FILE(Unit.PAGES),
    NR_ACTIVE_FILE(Unit.PAGES),
    NR_UNEVICTABLE(Unit.PAGES),
    NR_SLAB_RECLAIMABLE_B(Unit.BYTES),
    NR_SLAB_UNRECLAIMABLE_B(Unit.BYTES),
    WORKINGSET_REFAULT_ANON(Unit.COUNT),
    WORKINGSET_REFAULT_FILE(Unit.COUNT),
    WORKINGSET_ACTIVATE_ANON(Unit.COUNT),
    WORKINGSET_ACTIVATE_FILE(Unit.COUNT),
    WORKINGSET_RESTORE_ANON(Unit.COUNT),
    WORKINGSET_RESTORE_FILE(Unit.COUNT),
    WORKINGSET_NODERECLAIM(Unit.COUNT),
    PGDEMOTE_KSWAPD(Unit.COUNT),
    PGDEMOTE_DIRECT(Unit.COUNT),
    PGDEMOTE_KHUGEPAGED(Unit.COUNT),
    // vm events counted per memcg
    PGPGIN(Unit.COUNT),
    PGPGOUT(Unit.COUNT),
    PSWPIN(Unit.COUNT),
    PSWPOUT(Unit.COUNT),
    PGSCAN_KSWAPD(Unit.COUNT),
    PGSCAN_DIRECT(Unit.COUNT),
    PGSCAN_KHUGEPAGED(Unit.COUNT),
    PGSTEAL_KSWAPD(Unit.COUNT),
    PGSTEAL_DIRECT(Unit.COUNT),
    PGSTEAL_KHUGEPAGED(Unit.COUNT),
    PGFAULT(Unit.COUNT),
    PGMAJFAULT(Unit.COUNT),
    PGREFILL(Unit.COUNT),
    PGACTIVATE(Unit.COUNT),
    PGDEACTIVATE(Unit.COUNT),
    PGLAZYFREE(Unit.COUNT),
    PGLAZYFREED(Unit.COUNT),
    SWPIN_ZERO(Unit.COUNT),
    SWPOUT_ZERO(Unit.COUNT);

    /** What one unit of the counter is worth in memory.stat output. */
    public enum Unit {
        PAGES(MemMap.PAGE_SIZE), KB(1024), BYTES(1), COUNT(1);

        private final int factor;

        Unit(int factor) {
            this.factor = factor;
        }

        /** The multiplier to the printed value (bytes, or a plain count). */
        public int factor() {
            return factor;
        }
    }

    private final Unit unit;

    MemcgStatItem(Unit unit) {
        this.unit = unit;
    }

    public Unit unit() {
        return unit;
    }

    /**
     * An {@code enum node_stat_item} entry, counted per node (what memory.numa_stat shows),
     * rather than a {@code memcg_stat_item} or a vm event.
     */
    public boolean nodeStat() {
        return switch (this) {
            case MEMCG_KMEM, MEMCG_PERCPU_B, MEMCG_SOCK, MEMCG_VMALLOC -> false;
            default -> compareTo(PGPGIN) < 0;
        };
    }

    /** The lower-case name {@code /proc/vmstat} uses for an event item. */
    public String vmEventName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
