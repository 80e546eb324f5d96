package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.memcg.MemcgData;

/** Each step of target 3's floor runs as the benchmark loop would, and leaves nothing behind. */
class KmemStepsBenchmarkTest {
    /** More than a charge batch (64), so the stock runs dry and spills on the way. */
    private static final int ROUNDS = 200;

    @Test
    void everyStepLeavesTheMachineAsItFoundIt() {
        KmemStepsBenchmark b = new KmemStepsBenchmark();
        b.boot();
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(b.currentObjcg()).isSameAs(b.baseline());
            assertThat(b.getMemCgroupFromObjcg()).isSameAs(b.baseline().memcg());
            assertThat(b.getMemCgroupFromCurrent()).isSameAs(b.baseline().memcg());
            assertThat(b.memcgDecode()).isSameAs(b.baseline().memcg());
            assertThat(b.stockChargeUncharge()).isZero();
            assertThat(b.objcgGetPut()).isSameAs(b.baseline());
            assertThat(b.memcgDataDecode()).isSameAs(b.baseline());
            assertThat(b.accountingAlone()).as("memcg_data of the charged page")
                    .isEqualTo(b.baseline().address() | MemcgData.MEMCG_DATA_KMEM);
        }
        b.checkNoLeak();
        b.checkDrained();
    }
}
