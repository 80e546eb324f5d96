package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A removed cgroup whose last charges came out of this CPU's stock, leaving it empty but still
 * naming the cgroup ({@code consume_stock} keeps {@code stock->cached}), and which
 * {@code drain_all_stock} skips for holding no pages. Before 5.8 (4.8.15, 4.18) the css
 * references are the charged pages' ({@code try_charge}'s {@code css_get_many}), so the empty
 * stock pins nothing and rmdir releases the cgroup; from 5.8 ({@code refill_stock}'s
 * {@code css_get}, 5.10.7) the stock's own reference keeps it dying until the CPU caches
 * another memcg.
 */
class EmptyStockPinTest {
    @ParameterizedTest
    @EnumSource(value = TestEra.class, names = {"V4_7", "V4_8", "V4_18"})
    void beforeFiveEightAnEmptiedStockDoesNotKeepTheRemovedCgroup(TestEra era) {
        MemcgMachine m = era.boot();
        m.cpus.bind(0);
        MemCgroup job = m.cgroups.mkdir("/job");
        chargeTheBatchThenUncharge(m, job);

        m.cgroups.rmdir(job);
        assertThat(job.state()).as("job after rmdir").isEqualTo(MemCgroup.State.RELEASED);
        assertThat(m.dyingPinnedByEmptyStocks()).isEmpty();
        m.assertNoLeaks();
        m.cpus.unbind();
    }

    @ParameterizedTest
    @EnumSource(value = TestEra.class, names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void fromFiveEightTheEmptiedStockKeepsItUntilTheCpuCachesAnother(TestEra era) {
        MemcgMachine m = era.boot();
        m.cpus.bind(0);
        MemCgroup job = m.cgroups.mkdir("/job");
        chargeTheBatchThenUncharge(m, job);

        m.cgroups.rmdir(job);
        assertThat(job.state()).as("job after rmdir").isEqualTo(MemCgroup.State.DYING);
        assertThat(m.dyingPinnedByEmptyStocks()).containsExactly(job);
        MemCgroup other = m.cgroups.mkdir("/other");
        assertThat(m.charger.tryCharge(other, GFP_KERNEL, 1)).isZero();
        assertThat(job.state()).as("job once the stock caches another").isEqualTo(MemCgroup.State.RELEASED);
        m.charger.uncharge(other, 1);
        m.cgroups.rmdir(other);
        m.assertNoLeaks();
        m.cpus.unbind();
    }

    /**
     * A batch of one-page charges to {@code memcg}, all but the first served by this CPU's
     * stock, which ends empty and naming {@code memcg}; then the pages are uncharged.
     */
    private static void chargeTheBatchThenUncharge(MemcgMachine m, MemCgroup memcg) {
        int batch = m.stock.batch();
        for (int i = 0; i < batch; i++) {
            assertThat(m.charger.tryCharge(memcg, GFP_KERNEL, 1)).isZero();
        }
        assertThat(m.stock.cachedMemcg(0)).isSameAs(memcg);
        assertThat(m.stock.stockedPages(0)).isZero();
        m.charger.uncharge(memcg, batch);
        assertThat(memcg.memory().read()).isZero();
    }
}
