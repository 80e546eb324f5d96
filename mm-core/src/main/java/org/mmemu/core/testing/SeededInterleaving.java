package org.mmemu.core.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.interleave.Interleavings;

/**
 * Runs one step on each of several {@link CpuThread}s, one thread at a time, switching at
 * interleaving points chosen at random: every point is armed, and a thread reaching one parks
 * there with probability {@code p}, after which a randomly chosen unfinished thread runs on.
 * The schedule depends only on the random source, so a seeded run repeats exactly: run it in
 * {@link Seeded#run}, which puts the seed in the failure message.
 *
 * <pre>
 *  Seeded.run(0x5eedL, rnd -&gt; new SeededInterleaving(rnd, 0.5)
 *          .step(cpu1, () -&gt; reader.read(page))
 *          .step(cpu2, () -&gt; writer.attach(page))
 *          .run());
 * </pre>
 *
 * <p>The steps must not wait for each other (a lock held across a point, a spin on another
 * step's write): only one runs at a time, so such a wait ends in the threads' timeout.
 */
public final class SeededInterleaving {
    private record Step(CpuThread thread, Runnable body) {
    }

    private final SplittableRandom rnd;
    private final double p;
    private final List<Step> steps = new ArrayList<>();

    /**
     * A schedule drawn from {@code rnd}, parking at each point reached with probability
     * {@code p}.
     */
    public SeededInterleaving(SplittableRandom rnd, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("a probability is in [0, 1], not " + p);
        }
        this.rnd = rnd;
        this.p = p;
    }

    /** Adds {@code body}, to run on {@code thread}'s CPU; at most one step per thread. */
    public SeededInterleaving step(CpuThread thread, Runnable body) {
        for (Step s : steps) {
            if (s.thread() == thread) {
                throw new IllegalArgumentException(thread.getName() + " has a step already");
            }
        }
        steps.add(new Step(thread, body));
        return this;
    }

    /**
     * Runs the steps to their ends and returns the schedule followed, one entry per turn
     * ("cpu1-thread parked at from_obj:between_reads", "cpu2-thread ended").
     *
     * @throws AssertionError if a step throws, or neither parks nor ends within
     *     {@link CpuThread#TIMEOUT_SECONDS} (it waits for another step), with the schedule so
     *     far and the failure as cause
     */
    public List<String> run() {
        Predicate<InterleavingPoint> stopAt = point -> rnd.nextDouble() < p;
        List<Step> unfinished = new ArrayList<>(steps);
        Set<Step> started = new HashSet<>();
        List<String> schedule = new ArrayList<>();
        Interleavings.armAll();
        try {
            while (!unfinished.isEmpty()) {
                Step s = unfinished.get(rnd.nextInt(unfinished.size()));
                CpuThread t = s.thread();
                InterleavingPoint at;
                try {
                    at = started.contains(s) ? t.resume(stopAt) : t.start(s.body(), stopAt);
                } catch (IllegalStateException stuck) {
                    throw new AssertionError("a step got stuck on " + t.getName()
                            + " after the schedule " + schedule, stuck);
                }
                started.add(s);
                schedule.add(t.getName() + (at == null ? " ended" : " parked at " + at.name()));
                if (at == null) {
                    unfinished.remove(s);
                    if (t.stepFailure() != null) {
                        unfinished.retainAll(started);
                        finish(unfinished);
                        throw new AssertionError("a step failed on " + t.getName()
                                + " after the schedule " + schedule, t.stepFailure());
                    }
                }
            }
        } finally {
            Interleavings.disarmAll();
        }
        return schedule;
    }

    /** Lets every parked step run to its end, so its thread can finish. */
    private static void finish(List<Step> parked) {
        for (Step s : parked) {
            s.thread().resume(null);
        }
    }
}
