package org.mmemu.memcg.fs;

/**
 * The files of a cgroup v2 directory that the emulator serves: kernel/cgroup/cgroup.c's
 * {@code cgroup_base_files[]} (with {@code memory.pressure}, a PSI file every cgroup has), then
 * mm/memcontrol.c's {@code memory_files[]} and {@code swap_files[]}, in the kernel's order. Which
 * of them an era has is its {@link CgroupFsLayout}'s business.
 */
enum CgroupFileType {
    CGROUP_CONTROLLERS("cgroup.controllers", 0444, true, false),
    CGROUP_SUBTREE_CONTROL("cgroup.subtree_control", 0644, true, false),
    CGROUP_PROCS("cgroup.procs", 0644, true, false),
    CGROUP_EVENTS("cgroup.events", 0444, false, false),
    CGROUP_STAT("cgroup.stat", 0444, true, false),
    MEMORY_PRESSURE("memory.pressure", 0644, true, false),
    MEMORY_CURRENT("memory.current", 0444, false, true),
    MEMORY_PEAK("memory.peak", 0644, false, true),
    MEMORY_MIN("memory.min", 0644, false, true),
    MEMORY_LOW("memory.low", 0644, false, true),
    MEMORY_HIGH("memory.high", 0644, false, true),
    MEMORY_MAX("memory.max", 0644, false, true),
    MEMORY_EVENTS("memory.events", 0444, false, true),
    MEMORY_EVENTS_LOCAL("memory.events.local", 0444, false, true),
    MEMORY_STAT("memory.stat", 0444, true, true),
    MEMORY_NUMA_STAT("memory.numa_stat", 0444, true, true),
    MEMORY_OOM_GROUP("memory.oom.group", 0644, false, true),
    MEMORY_RECLAIM("memory.reclaim", 0200, true, true),
    MEMORY_SWAP_CURRENT("memory.swap.current", 0444, false, true),
    MEMORY_SWAP_HIGH("memory.swap.high", 0644, false, true),
    MEMORY_SWAP_MAX("memory.swap.max", 0644, false, true),
    MEMORY_SWAP_PEAK("memory.swap.peak", 0644, false, true),
    MEMORY_SWAP_EVENTS("memory.swap.events", 0444, false, true);

    private final String fileName;
    private final int mode;
    private final boolean onRoot;
    private final boolean memory;

    CgroupFileType(String fileName, int mode, boolean onRoot, boolean memory) {
        this.fileName = fileName;
        this.mode = mode;
        this.onRoot = onRoot;
        this.memory = memory;
    }

    String fileName() {
        return fileName;
    }

    /**
     * Has a show handler ({@code cgroup_file_mode}: readable when {@code seq_show} is set); a
     * write-only file (mode 0200) is opened for reading with {@code EACCES}.
     */
    boolean readable() {
        return (mode & 0444) != 0;
    }

    /** Has a write handler; the others (mode 0444) are opened for writing with {@code EACCES}. */
    boolean writable() {
        return (mode & 0222) != 0;
    }

    /** Exists on the root cgroup (no {@code CFTYPE_NOT_ON_ROOT}). */
    boolean onRoot() {
        return onRoot;
    }

    /** A memory controller file: exists only where the cgroup has a memory css. */
    boolean memory() {
        return memory;
    }

    static CgroupFileType byName(String name) {
        for (CgroupFileType t : values()) {
            if (t.fileName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
