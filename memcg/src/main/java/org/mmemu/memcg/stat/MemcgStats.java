package org.mmemu.memcg.stat;

import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.PerCpu;

/**
 * One memcg's own statistics as per-CPU differentials ({@code memcg->vmstats_percpu}): an update
 * touches only the calling CPU's row, with no lock and no allocation; a read folds every CPU.
 * Values are local to the cgroup (not its descendants) and exact only at quiescence.
 */
public final class MemcgStats {
    private static final int NR_ITEMS = MemcgStatItem.values().length;

    private final Cpus cpus;
    /** One padded row per CPU, by CPU id (an array, so an update reaches its row in one load). */
    private final long[][] rows;

    public MemcgStats(Cpus cpus) {
        this.cpus = cpus;
        // Padded: every accounted allocation and free writes this CPU's row.
        this.rows = new long[cpus.nrCpus()][];
        for (int c = 0; c < rows.length; c++) {
            rows[c] = PerCpu.paddedLongs(NR_ITEMS);
        }
    }

    /** {@code mod_memcg_state(memcg, item, delta)} on the current CPU. */
    public void mod(MemcgStatItem item, long delta) {
        mod(cpus.current(), item, delta);
    }

    /**
     * {@code __mod_memcg_state} on {@code cpu}, which must be the calling thread's CPU (its row
     * is written without a lock): for hot paths that have looked their CPU up already.
     */
    public void mod(Cpu cpu, MemcgStatItem item, long delta) {
        rows[cpu.id()][PerCpu.PAD_LONGS + item.ordinal()] += delta;
    }

    /** {@code memcg_page_state_local} before clamping: the signed sum over CPUs. */
    public long local(MemcgStatItem item) {
        int i = PerCpu.PAD_LONGS + item.ordinal();
        long sum = 0;
        for (int c = 0; c < rows.length; c++) {
            sum += rows[c][i];
        }
        return sum;
    }

    /**
     * Folds {@code child}'s counts into this cgroup's current-CPU row, as the kernel's rstat
     * flush keeps a released child's history in its parent.
     */
    public void absorb(MemcgStats child) {
        long[] mine = rows[cpus.current().id()];
        for (MemcgStatItem item : MemcgStatItem.values()) {
            mine[PerCpu.PAD_LONGS + item.ordinal()] += child.local(item);
        }
    }
}
