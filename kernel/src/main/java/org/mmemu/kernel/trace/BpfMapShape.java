package org.mmemu.kernel.trace;

/**
 * The key and value sizes of a map a trace made, by which its numbers become the buffers of
 * {@code bpf(2)}: a key or value is an unsigned number stored little-endian in its bytes (the
 * low bytes of it if the size is smaller, zeros after the eighth byte), as a C program's
 * {@code __u32 key} and {@code __u64 value} are. A per-CPU array's value has one slot a CPU,
 * each rounded up to 8 bytes ({@code bpf_map_value_size}, kernel/bpf/syscall.c); an update
 * stores the number in every CPU's slot.
 */
public record BpfMapShape(int keySize, int valueSize, int cpus) {
    /** The shape of a map the trace does not know (its creation failed): for the kernel to reject. */
    static final BpfMapShape UNKNOWN = new BpfMapShape(Integer.BYTES, Long.BYTES, 1);

    /** A map with one value a key (array, hash). */
    public static BpfMapShape of(int keySize, int valueSize) {
        return new BpfMapShape(keySize, valueSize, 1);
    }

    /** A per-CPU array on {@code cpus} CPUs. */
    public static BpfMapShape percpu(int valueSize, int cpus) {
        return new BpfMapShape(Integer.BYTES, valueSize, cpus);
    }

    /** The key {@code k}. */
    public byte[] key(long k) {
        byte[] b = new byte[keySize];
        put(b, 0, keySize, k);
        return b;
    }

    /** The value {@code v}, in every CPU's slot. */
    public byte[] value(long v) {
        byte[] b = new byte[slot() * cpus];
        for (int c = 0; c < cpus; c++) {
            put(b, c * slot(), valueSize, v);
        }
        return b;
    }

    /** A value read back, as the number it holds; a per-CPU value's numbers, one a CPU, blank-separated. */
    public String show(byte[] value) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cpus; c++) {
            long v = 0;
            for (int i = Math.min(valueSize, Long.BYTES) - 1; i >= 0; i--) {
                v = v << 8 | (value[c * slot() + i] & 0xff);
            }
            sb.append(c == 0 ? "" : " ").append(Long.toUnsignedString(v));
        }
        return sb.toString();
    }

    private int slot() {
        return cpus == 1 ? valueSize : (valueSize + 7) & ~7;
    }

    private static void put(byte[] b, int at, int size, long v) {
        for (int i = 0; i < Math.min(size, Long.BYTES); i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
