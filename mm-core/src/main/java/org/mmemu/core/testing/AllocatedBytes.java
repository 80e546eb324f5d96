package org.mmemu.core.testing;

import java.lang.management.ManagementFactory;

/**
 * What a hot path allocates on the Java heap, measured by the JVM's per-thread counter: for
 * tests that hold a path to allocating nothing per call.
 */
public final class AllocatedBytes {
    private static final int WARMUP = 20_000;
    private static final int RUNS = 10_000;
    private static final int ROUNDS = 5;

    private AllocatedBytes() {
    }

    /**
     * The bytes {@code RUNS} calls of {@code body} allocate, once the JIT has compiled it: the
     * least of a few rounds, since a recompilation in the background may allocate on the
     * measured thread once (a few hundred bytes, where an object per call would be 160 kB).
     */
    public static long of(Runnable body) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int i = 0; i < WARMUP; i++) {
            body.run();
        }
        long least = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS && least > 0; round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < RUNS; i++) {
                body.run();
            }
            least = Math.min(least, threads.getThreadAllocatedBytes(tid) - before);
        }
        return least;
    }
}
