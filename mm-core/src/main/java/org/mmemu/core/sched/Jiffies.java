package org.mmemu.core.sched;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulated {@code jiffies} clock. It never moves by itself, so rate limits and timeouts are
 * deterministic; tests and workloads advance it.
 */
public final class Jiffies {
    /** {@code HZ}. */
    public static final int HZ = 1000;

    private final AtomicLong now = new AtomicLong();

    public long now() {
        return now.get();
    }

    public void advance(long ticks) {
        if (ticks < 0) {
            throw new IllegalArgumentException("time does not run backwards: " + ticks);
        }
        now.addAndGet(ticks);
    }
}
