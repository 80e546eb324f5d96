package org.mmemu.kernel.trace;

import java.util.SplittableRandom;

/**
 * A length argument: a fixed number of bytes, or {@code rand} / {@code rand:MAX}, drawn from the
 * run's seeded random source (1 to MAX bytes, MAX a page for {@code rand}) each time the line runs.
 */
public record SizeArg(long fixed, long randomMax) {
    /** The longest buffer a read or write of a trace takes: 64 MiB. */
    public static final long MAX_IO = 64L << 20;

    /** A fixed length. */
    public static SizeArg of(long bytes) {
        return new SizeArg(bytes, 0);
    }

    /** A random length of 1 to {@code max} bytes. */
    public static SizeArg random(long max) {
        return new SizeArg(0, max);
    }

    public boolean isRandom() {
        return randomMax > 0;
    }

    /** The length for this run of the line. */
    public long resolve(SplittableRandom random) {
        return isRandom() ? random.nextLong(randomMax) + 1 : fixed;
    }

    /** What a call given {@code len} bytes returned, with the length when it was drawn. */
    public String result(long returned, long len) {
        return result(Long.toString(returned), len);
    }

    /** {@link #result(long, long)} of a result already shown as text. */
    public String result(String returned, long len) {
        return isRandom() ? returned + " (len " + len + ")" : returned;
    }
}
