package org.mmemu.bpf;

/**
 * The map types the emulator has, with their {@code enum bpf_map_type} values
 * (include/uapi/linux/bpf.h).
 */
public enum BpfMapType {
    /** {@code BPF_MAP_TYPE_HASH}. */
    HASH(1),
    /** {@code BPF_MAP_TYPE_ARRAY}. */
    ARRAY(2),
    /** {@code BPF_MAP_TYPE_PERCPU_ARRAY}. */
    PERCPU_ARRAY(6);

    private final int value;

    BpfMapType(int value) {
        this.value = value;
    }

    /** The kernel's number for the type. */
    public int value() {
        return value;
    }
}
