package org.mmemu.kernel.trace;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What a buffer a trace writes holds ({@code write}, {@code send}, {@code store}): one byte
 * repeated, or random bytes from the run's seeded random source.
 */
public record FillArg(int value) {
    /** Random bytes. */
    public static final FillArg RANDOM = new FillArg(-1);

    /** {@code b} (0 to 255) repeated. */
    public static FillArg of(int b) {
        return new FillArg(b);
    }

    /** A buffer of {@code n} bytes of this fill. */
    public byte[] bytes(int n, SplittableRandom random) {
        byte[] data = new byte[n];
        if (this.equals(RANDOM)) {
            random.nextBytes(data);
        } else {
            Arrays.fill(data, (byte) value);
        }
        return data;
    }
}
