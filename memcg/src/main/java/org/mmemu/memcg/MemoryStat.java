package org.mmemu.memcg;

import com.google.inject.Inject;
import org.mmemu.memcg.stat.MemcgStatItem;
import org.mmemu.memcg.stat.MemoryStatFormat;

/**
 * {@code memory.stat} and the hierarchical statistics behind it ({@code memcg_page_state}): a
 * cgroup's value is its own plus every descendant's, removed-but-not-released ones included
 * (released ones have been folded into their parent already).
 */
public final class MemoryStat {
    private final CgroupTree tree;
    private final MemoryStatFormat format;

    @Inject
    public MemoryStat(CgroupTree tree, MemoryStatFormat format) {
        this.tree = tree;
        this.format = format;
    }

    /** The layout in force. */
    public MemoryStatFormat format() {
        return format;
    }

    /**
     * {@code memcg_page_state}: the subtree's raw sum of {@code item} in the item's own unit,
     * clamped at 0 as the era does for states.
     */
    public long pageState(MemCgroup memcg, MemcgStatItem item) {
        long[] sum = new long[1];
        boolean perCgroup = format.clampPerCgroup();
        tree.forEachDescendantWithDying(memcg, m -> {
            long v = m.stats().local(item);
            sum[0] += perCgroup ? Math.max(v, 0) : v;
        });
        return Math.max(sum[0], 0);
    }

    /** The value a line prints: bytes for states, counts for events. */
    public long value(MemCgroup memcg, MemoryStatFormat.Line line) {
        long total = 0;
        for (MemcgStatItem item : line.items()) {
            total += pageState(memcg, item) * item.unit().factor();
        }
        return total;
    }

    /**
     * The text of {@code memory.numa_stat} ({@code memory_numa_stat_show}, 5.10+): each node
     * item of the layout with its value per node with memory. The emulated machine has one node,
     * so each line is {@code key N0=value}, the value memory.stat prints.
     */
    public String numaStat(MemCgroup memcg) {
        StringBuilder sb = new StringBuilder();
        for (MemoryStatFormat.Line line : format.lines()) {
            if (line.numaStat()) {
                sb.append(line.key()).append(" N0=").append(Long.toUnsignedString(value(memcg, line))).append('\n');
            }
        }
        return sb.toString();
    }

    /** The text of {@code memory.stat}: one {@code key value} line per entry of the layout. */
    public String show(MemCgroup memcg) {
        StringBuilder sb = new StringBuilder();
        for (MemoryStatFormat.Line line : format.lines()) {
            sb.append(line.key()).append(' ').append(Long.toUnsignedString(value(memcg, line))).append('\n');
        }
        return sb.toString();
    }
}
