package org.mmemu.it.fray;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Random;
import kotlin.Unit;
import org.mmemu.core.testing.Seeded;
import org.pastalab.fray.core.observers.TimelineCoverageType;
import org.pastalab.fray.core.randomness.ControlledRandom;
import org.pastalab.fray.core.randomness.Randomness;
import org.pastalab.fray.core.randomness.RandomnessProvider;
import org.pastalab.fray.core.scheduler.POSScheduler;
import org.pastalab.fray.junit.plain.FrayInTestLauncher;

/**
 * Runs a body under Fray's scheduler: {@link #explore} for many schedules (partial order
 * sampling), {@link #replay} for the one a recording names. Fray runs only in the JDK its Maven
 * plugin instruments (the {@code fray} profile of this module); the body runs on a new thread
 * each time, and every thread it starts is scheduled by Fray.
 */
final class FrayRuns {
    /** Seconds one exploration may take before Fray gives up on it. */
    private static final int TIMEOUT_SECONDS = 60;

    private FrayRuns() {
    }

    /**
     * Runs {@code body} under up to {@code iterations} schedules drawn from a random source
     * seeded by {@link Seeded#seed(long)} of {@code defaultSeed} (so {@code -Dmmemu.seed} repeats
     * a run); stops at the first schedule that throws (Fray saves its recording under
     * {@code target/fray/fray-report/recording}).
     */
    static Exploration explore(long defaultSeed, int iterations, Runnable body) {
        long seed = Seeded.seed(defaultSeed);
        RandomnessProvider schedules = new SeededSchedules(seed);
        try {
            FrayInTestLauncher.INSTANCE.launchFray(body, new POSScheduler(schedules.getRandomness()), schedules,
                    iterations, TIMEOUT_SECONDS, false, TimelineCoverageType.RESOURCE_ORDERING, c -> Unit.INSTANCE);
            return new Exploration(seed, iterations, null);
        } catch (Throwable t) {
            return new Exploration(seed, iterations, t);
        }
    }

    /** What {@link #explore} found: the failure of the first failing schedule, or null. */
    record Exploration(long seed, int iterations, Throwable failure) {
        /** For assertion messages: how to run the same schedules again. */
        String describe() {
            return String.format("%d schedules of seed %#x (-D%s=%d)", iterations, seed, Seeded.SEED_PROPERTY, seed);
        }
    }

    /** Each schedule's random choices from one seeded source, so an exploration repeats exactly. */
    private static final class SeededSchedules implements RandomnessProvider {
        private final Random seeds;

        SeededSchedules(long seed) {
            seeds = new Random(seed);
        }

        @Override
        public Randomness getRandomness() {
            return new ControlledRandom(new ArrayList<>(), new ArrayList<>(), new Random(seeds.nextLong()));
        }
    }

    /**
     * Runs {@code body} once, under the schedule recorded in the test resource directory
     * {@code recording} (Fray's {@code scheduler} and {@code random.json}); returns what it threw,
     * or null.
     */
    static Throwable replay(Runnable body, String recording) {
        try {
            FrayInTestLauncher.INSTANCE.launchFrayReplay(body, resourceDir(recording));
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static String resourceDir(String name) {
        URL url = FrayRuns.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no recording " + name + " on the test class path");
        }
        try {
            return new File(url.toURI()).getPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
