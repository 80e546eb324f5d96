package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A long loop reports on stderr at most once a second; a short one says nothing. */
class ProgressTest {
    private final StringWriter err = new StringWriter();
    private final AtomicLong clock = new AtomicLong();
    private final Progress progress = new Progress(new PrintWriter(err), "buddyinfo", 1 << 16, clock::get);

    @Test
    void nothingIsPrintedWithinTheFirstSecond() {
        for (int i = 0; i < 1 << 16; i++) {
            progress.step(i);
        }
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aLineEachSecondSaysHowFarTheLoopIs() {
        clock.set(TimeUnit.SECONDS.toNanos(1));
        progress.step(1 << 15);
        progress.step(1 << 15);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
        progress.step(3 << 14);
        assertThat(err.toString().lines()).containsExactly("buddyinfo: 50% (32768 of 65536 steps)");
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        progress.step(3 << 14);
        assertThat(err.toString().lines()).last().isEqualTo("buddyinfo: 75% (49152 of 65536 steps)");
    }
}
