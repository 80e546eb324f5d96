package org.mmemu.memcg.fs;

import static org.mmemu.memcg.fs.CgroupFileType.*;
import static org.mmemu.memcg.stat.MemcgEvent.*;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.mmemu.memcg.stat.MemcgEvent;

/**
 * Which cgroup v2 files exist in each era and what the era-dependent ones print (mm/memcontrol.c
 * {@code memory_files[]} and {@code swap_files[]}, kernel/cgroup/cgroup.c
 * {@code cgroup_base_files[]}).
 *
 * <pre>
 *  file / key            4.8             4.18          5.9           5.10/5.11   latest (6.13)
 *  memory.low            yes             yes           yes           yes         yes
 *  memory.min            no              yes           yes           yes         yes
 *  memory.swap.current   yes             yes           yes           yes         yes
 *  memory.swap.max       yes             yes           yes           yes         yes
 *  memory.swap.events    no              max fail      high max fail = 5.9       = 5.9
 *  memory.swap.high      no              no            yes           yes         yes
 *  memory.stat on root   no              no            yes           yes         yes
 *  memory.events keys    low high max oom + oom_kill   + oom_kill    + oom_kill  + oom_group_kill
 *  memory.events counts  the cgroup      the cgroup    the subtree   the subtree the subtree
 *  memory.events.local   no              no            yes           yes         yes
 *  memory.oom.group      no              no (4.19)     yes           yes         yes
 *  memory.pressure       no              no (4.20)     yes           yes         yes
 *  memory.numa_stat      no              no            no            yes         yes
 *  memory.peak           no              no            no            no          yes, writable (per-open reset)
 *  memory.reclaim        no              no            no            no          yes
 *  memory.swap.peak      no              no            no            no          yes, as memory.peak
 *  cgroup.events frozen  no              no            yes           yes         yes
 *  cgroup.stat           no              2 lines       2 lines       2 lines     + nr_subsys_memory, nr_dying_subsys_memory
 * </pre>
 */
public enum CgroupFsLayout {
    /** 4.8. */
    V4_8("cgroupfs.V4_8", List.of(LOW, HIGH, MAX, OOM), List.of(), false, false, null,
            EnumSet.of(CGROUP_CONTROLLERS, CGROUP_SUBTREE_CONTROL, CGROUP_PROCS, CGROUP_EVENTS,
                    MEMORY_CURRENT, MEMORY_LOW, MEMORY_HIGH, MEMORY_MAX, MEMORY_EVENTS, MEMORY_STAT,
                    MEMORY_SWAP_CURRENT, MEMORY_SWAP_MAX)),
    /** 4.18: adds {@code oom_kill} to memory.events, cgroup.stat, memory.min, memory.swap.events. */
    V4_18("cgroupfs.V4_18", List.of(LOW, HIGH, MAX, OOM, OOM_KILL), List.of(SWAP_MAX, SWAP_FAIL),
            false, false, null, V4_8.plus(CGROUP_STAT, MEMORY_MIN, MEMORY_SWAP_EVENTS)),
    /**
     * 5.9: hierarchical memory.events with memory.events.local, memory.oom.group (4.19),
     * memory.pressure (4.20), memory.stat on the root, memory.swap.high and its event.
     */
    V5_9("cgroupfs.V5_9", List.of(LOW, HIGH, MAX, OOM, OOM_KILL), List.of(SWAP_HIGH, SWAP_MAX, SWAP_FAIL),
            true, false, Pressure.V5, V4_18.plus(MEMORY_PRESSURE, MEMORY_EVENTS_LOCAL, MEMORY_OOM_GROUP,
                    MEMORY_SWAP_HIGH)),
    /** 5.10 and 5.11: adds memory.numa_stat. */
    V5_10("cgroupfs.V5_10", V5_9.events, V5_9.swapEvents, true, false, Pressure.V5, V5_9.plus(MEMORY_NUMA_STAT)),
    /** 6.13. */
    LATEST("cgroupfs.Latest", List.of(LOW, HIGH, MAX, OOM, OOM_KILL, OOM_GROUP_KILL), V5_9.swapEvents,
            true, true, Pressure.V6_13, V5_10.plus(MEMORY_PEAK, MEMORY_RECLAIM, MEMORY_SWAP_PEAK));

    private final String policyName;
    private final List<MemcgEvent> events;
    private final List<MemcgEvent> swapEvents;
    private final boolean v5;
    private final boolean subsysCounts;
    private final Pressure pressure;
    private final Set<CgroupFileType> files;

    /**
     * @param v5 the 5.x behaviours the 4.x eras lack (4.19 has none of them, 5.9 all):
     *           hierarchical events, cgroup.events' {@code frozen} line, memory.stat on the root
     */
    CgroupFsLayout(String policyName, List<MemcgEvent> events, List<MemcgEvent> swapEvents, boolean v5,
                   boolean subsysCounts, Pressure pressure, Set<CgroupFileType> files) {
        this.policyName = policyName;
        this.events = events;
        this.swapEvents = swapEvents;
        this.v5 = v5;
        this.subsysCounts = subsysCounts;
        this.pressure = pressure;
        this.files = Collections.unmodifiableSet(files);
    }

    private Set<CgroupFileType> plus(CgroupFileType... added) {
        Set<CgroupFileType> more = EnumSet.copyOf(files);
        more.addAll(List.of(added));
        return more;
    }

    /** The dotted policy name. */
    public String policyName() {
        return policyName;
    }

    /** The memory.events keys, in print order. */
    public List<MemcgEvent> events() {
        return events;
    }

    /** The memory.swap.events keys, in print order. */
    public List<MemcgEvent> swapEvents() {
        return swapEvents;
    }

    /** memory.pressure's trigger rules (null before the file). */
    Pressure pressure() {
        return pressure;
    }

    /** The era has {@code file} (where its flags and the memory css allow). */
    boolean has(CgroupFileType file) {
        return files.contains(file);
    }

    /**
     * memory.events and memory.swap.events count the events of the whole subtree; where they
     * do, memory.events.local has the cgroup's own (before, {@code memcg_memory_event} counted
     * only in the cgroup).
     */
    public boolean eventsHierarchical() {
        return v5;
    }

    /** memory.stat exists on the root cgroup. */
    public boolean statOnRoot() {
        return v5;
    }

    /** cgroup.events has a {@code frozen} line (the cgroup freezer, 5.2+). */
    public boolean eventsFrozen() {
        return v5;
    }

    /** cgroup.stat prints the per-controller css counts. */
    public boolean cgroupStatSubsysCounts() {
        return subsysCounts;
    }
}
