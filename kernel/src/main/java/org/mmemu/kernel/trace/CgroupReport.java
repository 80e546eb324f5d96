package org.mmemu.kernel.trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mmemu.core.page.MemMap;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * The cgroup files at the end of a run, as {@code PATH FILE [KEY]} to value: the root's count of
 * dying descendants (in the eras that have {@code cgroup.stat}), then for every cgroup the trace made, in path order, its memory.current,
 * the {@link #STAT_KEYS} its era's memory.stat has, and its memory.events. A removed cgroup has
 * no files left: its row says whether it is dying (still pinned) or released, and a dying one's
 * memory.current is its page counter, which the files would show.
 */
public final class CgroupReport {
    /** The memory.stat keys of kernel memory, those of them an era prints. */
    public static final List<String> STAT_KEYS = List.of("kernel", "pagetables", "percpu", "slab", "slab_unreclaimable", "sock",
            "vmalloc");

    private static final String CGROUP_STAT = "cgroup.stat";

    private CgroupReport() {
    }

    /** The rows of the cgroups {@code ctx}'s trace made, read from its kernel. */
    public static Map<String, String> of(TraceContext ctx) {
        CgroupFs fs = ctx.kernel().cgroupfs();
        Map<String, String> rows = new LinkedHashMap<>();
        if (fs.list("/").contains(CGROUP_STAT)) {     // 4.14 on
            rows.put("/ cgroup.stat nr_dying_descendants",
                    Long.toString(keyed(fs.read("/" + CGROUP_STAT)).get("nr_dying_descendants")));
        }
        for (MemCgroup m : ctx.cgroups().values()) {
            String p = m.path();
            if (m.state() != MemCgroup.State.ONLINE) {
                rows.put(p + " state", m.state().name().toLowerCase(Locale.ROOT));
                if (m.state() == MemCgroup.State.DYING) {
                    rows.put(p + " memory.current", Long.toString(m.memory().read() * MemMap.PAGE_SIZE));
                }
                continue;
            }
            rows.put(p + " memory.current", Long.toString(fs.readLong(p + "/memory.current")));
            Map<String, Long> stat = keyed(fs.read(p + "/memory.stat"));
            for (String key : STAT_KEYS) {
                if (stat.containsKey(key)) {
                    rows.put(p + " memory.stat " + key, Long.toString(stat.get(key)));
                }
            }
            keyed(fs.read(p + "/memory.events")).forEach((k, v) -> rows.put(p + " memory.events " + k, Long.toString(v)));
        }
        return rows;
    }

    /** A flat-keyed file's {@code key value} lines, in order. */
    private static Map<String, Long> keyed(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                m.put(line.substring(0, space), Long.parseUnsignedLong(line.substring(space + 1).strip()));
            }
        }
        return m;
    }
}
