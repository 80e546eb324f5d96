package org.mmemu.core.alloc;

import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Jiffies;

/**
 * {@code struct ratelimit_state} and {@code ___ratelimit} (lib/ratelimit.c): at most
 * {@code burst} events per {@code interval} jiffies; when a new interval starts after events
 * were refused, "{@code <func>: N callbacks suppressed}" is logged. The kernel's "begin == 0
 * means not started" quirk is replaced by an explicit flag, since emulated jiffies start at 0.
 */
final class RatelimitState {
    private final String func;
    private final long interval;
    private final int burst;
    private boolean started;
    private long begin;
    private int printed;
    private int missed;

    RatelimitState(String func, long interval, int burst) {
        this.func = func;
        this.interval = interval;
        this.burst = burst;
    }

    /** {@code __ratelimit(rs)}: true if the caller may print now. */
    synchronized boolean allow(Jiffies jiffies, KernelLog log) {
        long now = jiffies.now();
        if (!started) {
            started = true;
            begin = now;
        }
        if (now > begin + interval) {
            if (missed > 0) {
                log.printk(func + ": " + missed + " callbacks suppressed");
                missed = 0;
            }
            begin = now;
            printed = 0;
        }
        if (printed < burst) {
            printed++;
            return true;
        }
        missed++;
        return false;
    }
}
