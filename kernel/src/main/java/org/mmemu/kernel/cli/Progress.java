package org.mmemu.kernel.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress of a long loop, as a line on stderr at most once a second ("buddyinfo: 40% (1200000 of
 * 3000000 steps)"), so stdout keeps only the result. A run shorter than a second prints nothing.
 */
final class Progress {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Steps between two looks at the clock. */
    private static final int CHECK_MASK = (1 << 14) - 1;

    private final PrintWriter err;
    private final String what;
    private final long total;
    private final LongSupplier nanoTime;
    private long next;

    /** Progress of {@code total} steps of {@code what}, reported to {@code err}. */
    Progress(PrintWriter err, String what, long total) {
        this(err, what, total, System::nanoTime);
    }

    /** The same, timed by {@code nanoTime} (a test's clock). */
    Progress(PrintWriter err, String what, long total, LongSupplier nanoTime) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.nanoTime = nanoTime;
        this.next = nanoTime.getAsLong() + INTERVAL_NANOS;
    }

    /** Called with each step's index; prints when a second has passed since the last line. */
    void step(long done) {
        if ((done & CHECK_MASK) != 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - next >= 0) {
            err.printf(Locale.ROOT, "%s: %d%% (%d of %d steps)%n", what, done * 100 / total, done, total);
            err.flush();
            next = now + INTERVAL_NANOS;
        }
    }
}
