package org.mmemu.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.interleave.InterleavingPoint;

class InterleavingSeededTest {
    private static final InterleavingPoint BETWEEN = InterleavingPoint.declare("test:seeded:between_reads");
    private static final List<String> RACY = List.of("cpu1-thread parked at test:seeded:between_reads",
            "cpu2-thread ended", "cpu1-thread ended");

    private final Machine m = Machine.boot();
    private final CpuThread cpu1 = CpuThread.start(m.cpus, 1);
    private final CpuThread cpu2 = CpuThread.start(m.cpus, 2);
    /** A word whose bit 0 says "the rest is a vector", attached by cpu2. */
    private volatile long word;
    private volatile long read;

    @AfterEach
    void finish() {
        cpu1.finish();
        cpu2.finish();
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    /** Two loads of {@link #word}: tagged, the second load is taken for an untagged value. */
    private void racyRead() {
        if ((word & 1) != 0) {
            read = word & ~1;
            return;
        }
        BETWEEN.reach();
        read = word;
    }

    private List<String> race(long seed) {
        word = 0;
        return new SeededInterleaving(new SplittableRandom(seed), 0.5)
                .step(cpu1, this::racyRead)
                .step(cpu2, () -> word = 0x1000 | 1)
                .run();
    }

    @Test
    void theScheduleDecidesTheOutcomeAndASeedRepeatsIt() {
        boolean racedOnce = false;
        boolean cleanOnce = false;
        for (long seed = 0; seed < 64; seed++) {
            List<String> schedule = race(seed);
            boolean raced = (read & 1) != 0;

            assertThat(raced).as("seed %d, schedule %s", seed, schedule).isEqualTo(schedule.equals(RACY));
            assertThat(race(seed)).as("seed %d again", seed).isEqualTo(schedule);
            racedOnce |= raced;
            cleanOnce |= !raced;
        }
        assertThat(racedOnce).as("some seed parks the reader and runs the writer").isTrue();
        assertThat(cleanOnce).isTrue();
    }

    @Test
    void withProbabilityZeroEachStepRunsWhole() {
        List<String> schedule = new SeededInterleaving(new SplittableRandom(1), 0)
                .step(cpu1, this::racyRead).step(cpu2, () -> word = 0x1001).run();

        assertThat(schedule).hasSize(2).allSatisfy(turn -> assertThat(turn).endsWith(" ended"));
    }

    @Test
    void aFailingStepFailsWithTheScheduleAndSeededAddsTheSeed() {
        assertThatThrownBy(() -> Seeded.run(42, rnd -> new SeededInterleaving(rnd, 1)
                .step(cpu1, () -> {
                    BETWEEN.reach();
                    throw new IllegalStateException("boom");
                })
                .step(cpu2, this::racyRead)
                .run()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("failed with seed " + Seeded.seed(42))
                .hasMessageContaining("a step failed on cpu1-thread after the schedule [")
                .hasMessageContaining("cpu1-thread parked at test:seeded:between_reads")
                .hasRootCauseMessage("boom");
    }

    @Test
    void aStepWaitingForAnotherFailsWithTheSchedule() {
        CountDownLatch never = new CountDownLatch(1);
        cpu1.setPointTimeoutMillis(50);

        assertThatThrownBy(() -> new SeededInterleaving(new SplittableRandom(3), 0)
                .step(cpu1, () -> InterleavedCpuThreadTest.awaitQuietly(never)).run())
                .isInstanceOf(AssertionError.class)
                .hasMessage("a step got stuck on cpu1-thread after the schedule []")
                .cause().hasMessageContaining("cpu1-thread did not reach");
        never.countDown();
    }

    @Test
    void aThreadTakesOneStep() {
        SeededInterleaving s = new SeededInterleaving(new SplittableRandom(1), 0.5).step(cpu1, () -> { });

        assertThatThrownBy(() -> s.step(cpu1, () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpu1-thread has a step already");
        assertThatThrownBy(() -> new SeededInterleaving(new SplittableRandom(1), 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
