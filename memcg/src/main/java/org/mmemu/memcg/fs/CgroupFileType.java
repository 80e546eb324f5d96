package org.mmemu.memcg.fs;

/** The files of a cgroup v2 directory that the emulator serves. */
enum CgroupFileType {
    CGROUP_CONTROLLERS("cgroup.controllers", false, true, false),
    CGROUP_SUBTREE_CONTROL("cgroup.subtree_control", true, true, false),
    CGROUP_PROCS("cgroup.procs", true, true, false),
    CGROUP_EVENTS("cgroup.events", false, false, false),
    CGROUP_STAT("cgroup.stat", false, true, false),
    MEMORY_CURRENT("memory.current", false, false, true),
    MEMORY_PEAK("memory.peak", true, false, true),
    MEMORY_MAX("memory.max", true, false, true),
    MEMORY_HIGH("memory.high", true, false, true),
    MEMORY_STAT("memory.stat", false, true, true),
    MEMORY_EVENTS("memory.events", false, false, true),
    MEMORY_EVENTS_LOCAL("memory.events.local", false, false, true),
    MEMORY_OOM_GROUP("memory.oom.group", true, false, true);

    private final String fileName;
    private final boolean writable;
    private final boolean onRoot;
    private final boolean memory;

    CgroupFileType(String fileName, boolean writable, boolean onRoot, boolean memory) {
        this.fileName = fileName;
        this.writable = writable;
        this.onRoot = onRoot;
        this.memory = memory;
    }

    String fileName() {
        return fileName;
    }

    /** Has a write handler (mode 0644); the others are 0444, opened for writing with EACCES. */
    boolean writable() {
        return writable;
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
