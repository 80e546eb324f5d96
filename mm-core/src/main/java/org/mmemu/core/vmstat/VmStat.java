package org.mmemu.core.vmstat;

import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.PerCpu;

/**
 * vmstat counters kept as per-CPU differentials, like the kernel's {@code vm_stat_diff}: an
 * update touches only the calling CPU's slot (no shared write, no allocation) and a read folds
 * every CPU. Reads are therefore exact only at quiescence, as {@code /proc/vmstat} is.
 */
public final class VmStat {
    private static final VmStatItem[] ITEMS = VmStatItem.values();
    private final PerCpu<long[]> diffs;

    public VmStat(Cpus cpus) {
        this.diffs = cpus.perCpu(cpu -> PerCpu.paddedLongs(ITEMS.length));
    }

    /** {@code mod_node_page_state(item, delta)} on the current CPU. */
    public void mod(VmStatItem item, long delta) {
        diffs.thisCpu()[PerCpu.PAD_LONGS + item.ordinal()] += delta;
    }

    /** {@code mod_node_page_state} on a CPU the caller already holds (saves the lookup). */
    public void mod(org.mmemu.core.sched.Cpu cpu, VmStatItem item, long delta) {
        diffs.get(cpu)[PerCpu.PAD_LONGS + item.ordinal()] += delta;
    }

    /** {@code global_node_page_state(item)}: the sum over every CPU. */
    public long read(VmStatItem item) {
        long sum = 0;
        int i = PerCpu.PAD_LONGS + item.ordinal();
        for (int cpu = 0; cpu < diffs.size(); cpu++) {
            sum += diffs.get(cpu)[i];
        }
        return sum;
    }

    /** {@code /proc/vmstat}: one {@code name value} line per counter. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        for (VmStatItem item : ITEMS) {
            sb.append(item.procName()).append(' ').append(read(item)).append('\n');
        }
        return sb.toString();
    }
}
