package org.mmemu.core;

import java.util.Locale;
import org.mmemu.core.page.MemMap;

/**
 * The machine's size: memory and CPUs. Immutable; {@code with*} methods return a copy.
 *
 * <pre>
 *  MemoryConfig.of("64M")            64 MiB, 4 CPUs (the defaults tests use)
 *  MemoryConfig.of("16G").withCpus(2)
 * </pre>
 */
public final class MemoryConfig {
    /** The default number of emulated CPUs. */
    public static final int DEFAULT_CPUS = 4;
    /** The smallest machine: one largest buddy block. */
    public static final long MIN_BYTES = 4L << 20;
    /** The largest machine: pfns must fit the 31-bit list links. */
    public static final long MAX_BYTES = 1L << 42;

    private final long bytes;
    private final int cpus;

    private MemoryConfig(long bytes, int cpus, String size) {
        if (bytes < MIN_BYTES) {
            throw new IllegalArgumentException("memory size " + size + " is below the minimum, "
                    + (MIN_BYTES >>> 20) + "M (one largest buddy block)");
        }
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("memory size " + size + " is above the maximum, "
                    + (MAX_BYTES >>> 40) + "T (every pfn must fit a 31-bit list link)");
        }
        if (bytes % MemMap.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("memory size " + size + " is not a whole number of "
                    + MemMap.PAGE_SIZE + "-byte pages");
        }
        if (cpus < 1 || cpus > 1024) {
            throw new IllegalArgumentException("CPU count " + cpus + " must be 1..1024");
        }
        this.bytes = bytes;
        this.cpus = cpus;
    }

    /** A machine with {@code size} of memory ("64M", "1G", "16G"; memparse suffixes K/M/G/T). */
    public static MemoryConfig of(String size) {
        return new MemoryConfig(memparse(size), DEFAULT_CPUS, size.trim());
    }

    /** A copy with {@code n} CPUs. */
    public MemoryConfig withCpus(int n) {
        return new MemoryConfig(bytes, n, bytes + " bytes");
    }

    public long bytes() {
        return bytes;
    }

    public int nrPages() {
        return (int) (bytes >>> MemMap.PAGE_SHIFT);
    }

    public int cpus() {
        return cpus;
    }

    /**
     * {@code memparse}: a decimal (or 0x hex) number with an optional K/M/G/T suffix, either case.
     *
     * @throws IllegalArgumentException for anything else, or an overflow
     */
    public static long memparse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty size");
        }
        int shift = 0;
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        switch (last) {
            case 'K': shift = 10; break;
            case 'M': shift = 20; break;
            case 'G': shift = 30; break;
            case 'T': shift = 40; break;
            default: break;
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        long value;
        try {
            value = digits.toLowerCase(Locale.ROOT).startsWith("0x")
                    ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "'", e);
        }
        if (value < 0 || (shift > 0 && value > (Long.MAX_VALUE >>> shift))) {
            throw new IllegalArgumentException("size out of range: '" + text + "'");
        }
        return value << shift;
    }

    @Override
    public String toString() {
        return (bytes >>> 20) + "M, " + cpus + " CPUs";
    }
}
