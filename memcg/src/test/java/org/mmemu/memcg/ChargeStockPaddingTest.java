package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.sched.PerCpu;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;

/**
 * Each CPU's charge stock keeps two cache lines of padding on each side of its words, so two
 * CPUs charging at once never write one line (layout as JOL sees this JVM).
 */
class ChargeStockPaddingTest {
    @Test
    void aCpusStockHasTwoCacheLinesOfPaddingOnEachSide() {
        ClassLayout layout = ClassLayout.parseClass(ChargeStock.PaddedStock.class);
        long first = Long.MAX_VALUE;
        long end = 0;
        for (FieldLayout f : layout.fields()) {
            if (!f.name().matches("p\\d\\d") && !f.name().equals("gap")) {
                first = Math.min(first, f.offset());
                end = Math.max(end, f.offset() + f.size());
            }
        }
        long pad = PerCpu.PAD_LONGS * Long.BYTES;
        assertThat(first).as("padding in front of the stock's words").isGreaterThanOrEqualTo(pad);
        assertThat(layout.instanceSize() - end).as("padding behind them").isGreaterThanOrEqualTo(pad);
    }
}
