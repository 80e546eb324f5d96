package org.mmemu.bpf;

/** The flags of {@code BPF_MAP_UPDATE_ELEM} (include/uapi/linux/bpf.h). */
public final class BpfUpdateFlags {
    /** {@code BPF_ANY}: create a new element or update an existing one. */
    public static final long ANY = 0;
    /** {@code BPF_NOEXIST}: create a new element only ({@code EEXIST} if it exists). */
    public static final long NOEXIST = 1;
    /** {@code BPF_EXIST}: update an existing element only ({@code ENOENT} if it does not). */
    public static final long EXIST = 2;

    private BpfUpdateFlags() {
    }
}
