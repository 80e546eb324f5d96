package org.mmemu.memcg;

import java.lang.management.ManagementFactory;

/** What a hot path allocates on the Java heap, measured by the JVM's per-thread counter. */
final class AllocatedBytes {
    private static final int WARMUP = 20_000;
    private static final int RUNS = 10_000;

    private AllocatedBytes() {
    }

    /** The bytes {@code RUNS} calls of {@code body} allocate, once the JIT has compiled it. */
    static long of(Runnable body) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int i = 0; i < WARMUP; i++) {
            body.run();
        }
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < RUNS; i++) {
            body.run();
        }
        return threads.getThreadAllocatedBytes(tid) - before;
    }
}
