package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmark's loops run as JMH would run them and leave every slab consistent. */
class KmallocBenchmarkTest {
    private static final int ROUNDS = 1000;

    @Test
    void thePairsReuseOneObjectAndLeaveNothingBehind() {
        KmallocBenchmark b = new KmallocBenchmark();
        KmallocBenchmark.Machine m = new KmallocBenchmark.Machine();
        m.boot();
        long first = b.kmalloc64(m);
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(b.kmalloc64(m)).as("the CPU's free list hands the same object back").isEqualTo(first);
            assertThat(b.freePointerLean(m)).isEqualTo(m.object);
            assertThat(b.freePointerGeneric(m)).hasSize(Long.BYTES);
        }
        m.check();
    }
}
