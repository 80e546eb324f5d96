package org.mmemu.memcg.fs;

import java.util.List;
import org.mmemu.memcg.stat.MemcgEvent;

/**
 * Which cgroup v2 files exist in each era and what the era-dependent ones print (mm/memcontrol.c
 * {@code memory_files[]}, kernel/cgroup/cgroup.c {@code cgroup_base_files[]}).
 *
 * <pre>
 *  file / key            4.8               4.18         5.10/5.11    latest (6.13)
 *  memory.stat on root   no                no           yes          yes
 *  memory.events keys    low high max oom  + oom_kill   + oom_kill   + oom_kill, oom_group_kill
 *  memory.events counts  the cgroup        the cgroup   the subtree  the subtree
 *  memory.events.local   no                no           yes          yes
 *  memory.oom.group      no                no (4.19)    yes          yes
 *  memory.peak           no                no           no           yes, writable (per-open reset)
 *  cgroup.events frozen  no                no           yes          yes
 *  cgroup.stat           no                2 lines      2 lines      + nr_subsys_memory, nr_dying_subsys_memory
 * </pre>
 */
public enum CgroupFsLayout {
    /** 4.8. */
    V4_8("cgroupfs.V4_8", List.of(MemcgEvent.LOW, MemcgEvent.HIGH, MemcgEvent.MAX, MemcgEvent.OOM),
            false, false, false, false, false, false),
    /** 4.18: adds {@code oom_kill} to memory.events, and cgroup.stat. */
    V4_18("cgroupfs.V4_18", List.of(MemcgEvent.LOW, MemcgEvent.HIGH, MemcgEvent.MAX, MemcgEvent.OOM,
            MemcgEvent.OOM_KILL), false, false, false, false, true, false),
    /** 5.10 and 5.11. */
    V5_10("cgroupfs.V5_10", List.of(MemcgEvent.LOW, MemcgEvent.HIGH, MemcgEvent.MAX, MemcgEvent.OOM,
            MemcgEvent.OOM_KILL), true, true, false, true, true, false),
    /** 6.13. */
    LATEST("cgroupfs.Latest", List.of(MemcgEvent.values()), true, true, true, true, true, true);

    private final String policyName;
    private final List<MemcgEvent> events;
    private final boolean v5Files;
    private final boolean statOnRoot;
    private final boolean peak;
    private final boolean frozen;
    private final boolean cgroupStat;
    private final boolean subsysCounts;

    @SuppressWarnings("checkstyle:ParameterNumber")
    CgroupFsLayout(String policyName, List<MemcgEvent> events, boolean v5Files, boolean statOnRoot,
                   boolean peak, boolean frozen, boolean cgroupStat, boolean subsysCounts) {
        this.policyName = policyName;
        this.events = events;
        this.v5Files = v5Files;
        this.statOnRoot = statOnRoot;
        this.peak = peak;
        this.frozen = frozen;
        this.cgroupStat = cgroupStat;
        this.subsysCounts = subsysCounts;
    }

    /** The dotted policy name. */
    public String policyName() {
        return policyName;
    }

    /** The memory.events keys, in print order. */
    public List<MemcgEvent> events() {
        return events;
    }

    /** memory.events.local and memory.oom.group exist. */
    public boolean hasEventsLocalAndOomGroup() {
        return v5Files;
    }

    /**
     * memory.events counts the events of the whole subtree; where it does, memory.events.local
     * has the cgroup's own (before, {@code memcg_memory_event} counted only in the cgroup).
     */
    public boolean eventsHierarchical() {
        return v5Files;
    }

    /** memory.stat exists on the root cgroup. */
    public boolean statOnRoot() {
        return statOnRoot;
    }

    /** memory.peak exists (and a write resets it for the writing file). */
    public boolean hasPeak() {
        return peak;
    }

    /** cgroup.events has a {@code frozen} line. */
    public boolean eventsFrozen() {
        return frozen;
    }

    /** cgroup.stat exists. */
    public boolean hasCgroupStat() {
        return cgroupStat;
    }

    /** cgroup.stat prints the per-controller css counts. */
    public boolean cgroupStatSubsysCounts() {
        return subsysCounts;
    }
}
