package org.mmemu.core.testing;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A small seeded harness for property and stateful tests: runs a body with a
 * {@link SplittableRandom} and, if it fails, rethrows with the seed in the message so the run
 * can be repeated exactly. The seed comes from the system property {@code mmemu.seed} when set
 * (to replay a failure), otherwise from the caller.
 *
 * <pre>
 *  Seeded.run(0x5eedL, rnd -&gt; { ... rnd.nextInt(11) ... });
 *  // replay: ./mvnw verify -Dmmemu.seed=1234
 * </pre>
 */
public final class Seeded {
    /** The system property that overrides every seed. */
    public static final String SEED_PROPERTY = "mmemu.seed";

    private Seeded() {
    }

    /** The seed a run with {@code defaultSeed} will use. */
    public static long seed(long defaultSeed) {
        String override = System.getProperty(SEED_PROPERTY);
        return override == null ? defaultSeed : Long.decode(override);
    }

    /** Runs {@code body} once with a random source seeded from {@link #seed(long)}. */
    public static void run(long defaultSeed, Consumer<SplittableRandom> body) {
        long seed = seed(defaultSeed);
        try {
            body.accept(new SplittableRandom(seed));
        } catch (AssertionError | RuntimeException e) {
            AssertionError failure = new AssertionError("failed with seed " + seed
                    + " (replay with -D" + SEED_PROPERTY + "=" + seed + "): " + e.getMessage(), e);
            throw failure;
        }
    }
}
