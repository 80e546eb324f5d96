package org.mmemu.bpf;

/** The {@code map_flags} of {@code BPF_MAP_CREATE} (include/uapi/linux/bpf.h), with the kernel's values. */
public final class BpfMapFlags {
    /** {@code BPF_F_NO_PREALLOC}: hash elements are allocated on update, not at create. */
    public static final int NO_PREALLOC = 1;
    /** {@code BPF_F_NO_COMMON_LRU}. */
    public static final int NO_COMMON_LRU = 1 << 1;
    /** {@code BPF_F_NUMA_NODE}. */
    public static final int NUMA_NODE = 1 << 2;
    /** {@code BPF_F_RDONLY}: the fd may only read the map. */
    public static final int RDONLY = 1 << 3;
    /** {@code BPF_F_WRONLY}: the fd may only write the map. */
    public static final int WRONLY = 1 << 4;
    /** {@code BPF_F_ZERO_SEED}. */
    public static final int ZERO_SEED = 1 << 6;
    /** {@code BPF_F_RDONLY_PROG}: programs may only read the map; no writable mapping. */
    public static final int RDONLY_PROG = 1 << 7;
    /** {@code BPF_F_WRONLY_PROG}. */
    public static final int WRONLY_PROG = 1 << 8;
    /** {@code BPF_F_MMAPABLE}: an array user space may mmap (5.5 and later). */
    public static final int MMAPABLE = 1 << 10;
    /** {@code BPF_F_ACCESS_MASK}. */
    public static final int ACCESS_MASK = RDONLY | RDONLY_PROG | WRONLY | WRONLY_PROG;

    private BpfMapFlags() {
    }
}
