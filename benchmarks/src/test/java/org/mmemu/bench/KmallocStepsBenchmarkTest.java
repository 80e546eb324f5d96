package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each step of the kmalloc pair's floor runs as the benchmark loop would, and leaves nothing behind. */
class KmallocStepsBenchmarkTest {
    /** More than a page of 72-byte charges, so the byte stock and its slab statistic spill on the way. */
    private static final int ROUNDS = 200;

    @Test
    void everyStepLeavesTheMachineAsItFoundIt() {
        KmallocStepsBenchmark b = new KmallocStepsBenchmark();
        b.boot();
        int index = b.objToIndex();
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(b.objStockChargeUncharge()).as("round %d: the obj stock charge", i).isZero();
            assertThat(b.hooksAlone()).as("round %d: the post-alloc hook's charge", i).isTrue();
            assertThat(b.objToIndex()).isEqualTo(index);
            assertThat(b.vectorDecode().get(index)).as("round %d: the object's slot", i).isNotNull();
        }
        b.check();
    }
}
