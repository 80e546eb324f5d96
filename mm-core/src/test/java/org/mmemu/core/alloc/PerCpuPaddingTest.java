package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.page.PageList;
import org.mmemu.core.sched.PerCpu;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;

/**
 * Per-CPU data written on every allocation and free keeps at least {@link PerCpu#PAD_LONGS}
 * longs between its words and whatever the heap puts before or after it, so two CPUs never
 * write one cache line (the layout is JOL's view of the running JVM).
 */
class PerCpuPaddingTest {
    private static final long PAD_BYTES = PerCpu.PAD_LONGS * Long.BYTES;

    /** The object's fields that are not padding. */
    private static boolean isHot(FieldLayout f) {
        return !f.name().matches("p\\d\\d") && !f.name().equals("gap");
    }

    @Test
    void aCpusPageListHasTwoCacheLinesOfPaddingOnEachSide() {
        ClassLayout layout = ClassLayout.parseClass(PerCpuPages.class);
        long first = Long.MAX_VALUE;
        long end = 0;
        for (FieldLayout f : layout.fields()) {
            if (isHot(f)) {
                first = Math.min(first, f.offset());
                end = Math.max(end, f.offset() + f.size());
            }
        }
        assertThat(layout.fields().stream().filter(PerCpuPaddingTest::isHot).map(FieldLayout::name))
                .containsExactlyInAnyOrder("memMap", "head", "tail", "count");
        assertThat(first).as("padding in front of the list's words").isGreaterThanOrEqualTo(PAD_BYTES);
        assertThat(layout.instanceSize() - end).as("padding behind them").isGreaterThanOrEqualTo(PAD_BYTES);
    }

    @Test
    void anyPageListKeepsItsWordsBehindThePadding() {
        for (FieldLayout f : ClassLayout.parseClass(PageList.class).fields()) {
            if (isHot(f)) {
                assertThat(f.offset()).as(f.name()).isGreaterThanOrEqualTo(PAD_BYTES);
            }
        }
    }

    @Test
    void paddedCounterRowsHaveTwoCacheLinesOnEachSide() {
        long[] row = PerCpu.paddedLongs(5);
        assertThat(row).hasSize(PerCpu.PAD_LONGS + 5 + PerCpu.PAD_LONGS);
        assertThat(PAD_BYTES).isEqualTo(128);
    }
}
