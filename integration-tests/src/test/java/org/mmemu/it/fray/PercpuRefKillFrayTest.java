package org.mmemu.it.fray;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.PercpuRef;

/**
 * {@code percpu_ref_kill} on CPU 0 against gets and puts on CPU 1 (lib/percpu-refcount.c), under
 * every schedule Fray tries: CPU 1 never holds a reference to a released object, the release
 * runs exactly once, after the last put, and the count ends at exactly zero whichever mode each
 * get and put found.
 */
class PercpuRefKillFrayTest {
    private static final int ITERATIONS = 300;
    private static final long SEED = 0x9e4cL;

    @Test
    void killAgainstGetsAndPutsReleasesOnceAfterTheLastPut() {
        Cpus cpus = new Cpus(2);
        int[] rounds = {0};

        FrayRuns.Exploration run = FrayRuns.explore(SEED, ITERATIONS, () -> {
            AtomicInteger releases = new AtomicInteger();
            AtomicInteger held = new AtomicInteger();
            PercpuRef ref = new PercpuRef(cpus, "css", "memcg /job", () -> {
                if (held.get() != 0) {
                    throw new KernelBug("released while cpu1 holds " + held.get() + " references");
                }
                releases.incrementAndGet();
            });
            TwoCpus.race(cpus, () -> {
                ref.get(1);
                ref.kill();
                ref.put(1);
            }, () -> {
                Cpu cpu = cpus.current();
                if (!ref.tryGet(cpu)) {
                    // Only once the count reached zero: the kill and cpu0's put came first.
                    assertThat(releases).as("a failed tryget finds the object released").hasValue(1);
                    return;
                }
                held.incrementAndGet();
                ref.get(cpu, 2);
                held.addAndGet(2);
                boolean live = ref.tryGetLive(cpu);
                if (live) {
                    held.incrementAndGet();
                }
                assertThat(releases).as("released under cpu1's references").hasValue(0);
                held.addAndGet(live ? -2 : -1);
                ref.put(cpu, live ? 2 : 1);
                held.addAndGet(-2);
                ref.put(cpu, 2);
            });
            assertThat(releases).as("releases").hasValue(1);
            assertThat(ref.count()).as("the count").isZero();
            assertThat(ref.isDying()).isTrue();
            for (int c = 0; c < cpus.nrCpus(); c++) {
                assertThat(cpus.cpu(c).hasPendingWork()).as("cpu%d's queued folds", c).isFalse();
            }
            rounds[0]++;
        });

        assertThat(run.failure()).as(run.describe()).isNull();
        assertThat(rounds[0]).as("rounds run").isEqualTo(ITERATIONS);
    }
}
