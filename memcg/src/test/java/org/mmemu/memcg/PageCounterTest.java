package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.memcg.PageCounter.PAGE_COUNTER_MAX;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;

class PageCounterTest {
    private final PageCounter root = new PageCounter(null);
    private final PageCounter job = new PageCounter(root);
    private final PageCounter a = new PageCounter(job);
    private final PageCounter b = new PageCounter(job);

    @AfterEach
    void everyChargeWasReturned() {
        assertThat(new long[] {root.read(), job.read(), a.read(), b.read()}).containsOnly(0L);
    }

    @Test
    void chargePropagatesToEveryAncestorAndIgnoresLimits() {
        job.setMax(2);
        a.charge(5);
        assertThat(a.read()).isEqualTo(5);
        assertThat(job.read()).isEqualTo(5);
        assertThat(root.read()).isEqualTo(5);
        assertThat(b.read()).isZero();
        assertThat(job.failcnt()).isZero();
        a.uncharge(5);
    }

    @Test
    void tryChargeFailsAtTheFirstLevelOverMaxAndLeavesNoPartialCharge() {
        assertThat(job.setMax(10)).isZero();
        assertThat(root.setMax(100)).isZero();
        assertThat(a.tryCharge(6)).isNull();
        assertThat(b.tryCharge(5)).isSameAs(job);

        assertThat(b.read()).isZero();
        assertThat(job.read()).isEqualTo(6);
        assertThat(root.read()).isEqualTo(6);
        assertThat(job.failcnt()).isEqualTo(1);
        assertThat(b.failcnt()).isZero();
        assertThat(root.failcnt()).isZero();

        assertThat(b.tryCharge(4)).isNull();
        assertThat(job.read()).isEqualTo(10);
        a.uncharge(6);
        b.uncharge(4);
    }

    @Test
    void failureAtTheLeafCountsThereOnly() {
        a.setMax(1);
        assertThat(a.tryCharge(2)).isSameAs(a);
        assertThat(a.failcnt()).isEqualTo(1);
        assertThat(job.failcnt()).isZero();
        assertThat(job.read()).isZero();
    }

    @Test
    void watermarkRisesAndStaysUntilReset() {
        a.charge(7);
        a.uncharge(4);
        assertThat(a.watermark()).isEqualTo(7);
        assertThat(job.watermark()).isEqualTo(7);
        a.resetWatermark();
        assertThat(a.watermark()).isEqualTo(3);
        assertThat(a.localWatermark()).isEqualTo(3);
        assertThat(job.watermark()).isEqualTo(7);
        a.uncharge(3);
    }

    @Test
    void aFailedTryChargeStillRaisedTheWatermarksBelowTheFailingLevel() {
        job.setMax(3);
        assertThat(a.tryCharge(4)).isSameAs(job);
        assertThat(a.watermark()).isEqualTo(4).as("the leaf was charged before the parent refused");
        assertThat(job.watermark()).isZero();
    }

    @Test
    void localWatermarkResetsWithoutTouchingTheGlobalPeak() {
        a.charge(9);
        a.uncharge(8);
        assertThat(a.resetLocalWatermark()).isEqualTo(1);
        a.charge(2);
        assertThat(a.localWatermark()).isEqualTo(3);
        assertThat(a.watermark()).isEqualTo(9);
        a.uncharge(3);
    }

    @Test
    void unchargingMoreThanChargedIsReportedAfterTheWholeWalkAndClampsToZero() {
        job.charge(2);
        a.charge(1);
        assertThatThrownBy(() -> a.uncharge(2))
                .isInstanceOf(KernelBug.class)
                .hasMessage("WARNING: page_counter underflow: -1 nr_pages=2");
        assertThat(a.read()).isZero();
        assertThat(job.read()).isEqualTo(1).as("the parent was uncharged too");
        assertThat(root.read()).isEqualTo(1);
        job.uncharge(1);
    }

    @Test
    void setMaxRefusesALimitBelowUsage() {
        a.charge(5);
        assertThat(job.setMax(4)).isEqualTo(Errno.EBUSY.negative());
        assertThat(job.max()).isEqualTo(PAGE_COUNTER_MAX);
        assertThat(job.setMax(5)).isZero();
        assertThat(job.max()).isEqualTo(5);
        a.uncharge(5);
    }

    @Test
    void exchangeMaxSetsTheLimitEvenBelowUsage() {
        a.charge(5);
        assertThat(job.exchangeMax(1)).isEqualTo(PAGE_COUNTER_MAX);
        assertThat(job.max()).isEqualTo(1);
        assertThat(a.tryCharge(1)).isSameAs(job);
        a.uncharge(5);
    }

    @Test
    void pageCounterMaxIsLongMaxInPages() {
        assertThat(PAGE_COUNTER_MAX).isEqualTo(Long.MAX_VALUE / 4096);
        assertThat(root.max()).isEqualTo(PAGE_COUNTER_MAX);
        assertThat(root.high()).isEqualTo(PAGE_COUNTER_MAX);
    }

    @Test
    void memparseFollowsTheKernel() {
        assertThat(PageCounter.memparse("max", "max")).isEqualTo(PAGE_COUNTER_MAX);
        assertThat(PageCounter.memparse("16M", "max")).isEqualTo(4096);
        assertThat(PageCounter.memparse("16m", "max")).isEqualTo(4096);
        assertThat(PageCounter.memparse("1G", "max")).isEqualTo(262144);
        assertThat(PageCounter.memparse("8191", "max")).isEqualTo(1).as("rounded down to pages");
        assertThat(PageCounter.memparse("0x2000", "max")).isEqualTo(2);
        assertThat(PageCounter.memparse("020000", "max")).isEqualTo(2).as("leading zero is octal");
        assertThat(PageCounter.memparse("", "max")).isZero().as("no digits, nothing left over");
        assertThat(PageCounter.memparse("1E", "max")).isEqualTo(1L << 48);
        assertThat(PageCounter.memparse("8E", "max")).isEqualTo(PAGE_COUNTER_MAX);
        assertThat(PageCounter.memparse("16E", "max")).isZero().as("2^64 wraps to 0");
        assertThat(PageCounter.memparse("18446744073709555712", "max"))
                .isEqualTo(1).as("2^64 + 4096 wraps silently, as simple_strtoull does");
    }

    @Test
    void memparseRejectsTrailingGarbage() {
        int einval = Errno.EINVAL.negative();
        assertThat(PageCounter.memparse("abc", "max")).isEqualTo(einval);
        assertThat(PageCounter.memparse("-1", "max")).isEqualTo(einval);
        assertThat(PageCounter.memparse("12MB", "max")).isEqualTo(einval);
        assertThat(PageCounter.memparse("09", "max")).isEqualTo(einval).as("9 is not octal");
        assertThat(PageCounter.memparse("0x", "max")).isEqualTo(einval);
        assertThat(PageCounter.memparse("Max", "max")).isEqualTo(einval);
        assertThat(PageCounter.memparse("１", "max")).isEqualTo(einval).as("ASCII digits only");
    }
}
