package org.mmemu.it.fray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.sched.Cpus;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;

/**
 * {@code drain_all_stock} on CPU 0 against CPU 1 charging and uncharging through its own stock
 * ({@code consume_stock}, {@code refill_stock}, and from 5.11 the kmem uncharge into the stock;
 * mm/memcontrol.c), under every schedule Fray tries: the remote drain is CPU 1's work, run at its
 * next stock operation or when it lets its CPU go, so no page is uncharged twice or lost, and
 * once every stock is drained {@code memory.current} is exactly what CPU 1 still holds.
 */
class ChargeStockDrainFrayTest {
    private static final int ITERATIONS = 100;
    private static final long SEED = 0x570cL;

    @ParameterizedTest
    @EnumSource(Era.class)
    void aRemoteDrainNeverLosesOrDoublesACharge(Era era) {
        Kernel k = Kernel.boot(era, KernelConfig.memory("64M"));
        Cpus cpus = k.get(Cpus.class);
        Cgroups cgroups = k.get(Cgroups.class);
        MemcgCharger charger = k.get(MemcgCharger.class);
        ChargeStock stock = charger.stock();
        MemCgroup job = cgroups.mkdir("/job");
        cpus.unbind();
        int[] rounds = {0};

        FrayRuns.Exploration run = FrayRuns.explore(SEED, ITERATIONS, () -> {
            TwoCpus.race(cpus, () -> {
                stock.drainAll(cgroups.root());
                stock.drainAll(job);
            }, () -> {
                // Three pages charged, two given back: one page held, the rest in stock.
                for (int i = 0; i < 3; i++) {
                    assertThat(charger.kmemCharge(job, GFP_KERNEL, 1)).isZero();
                }
                charger.kmemUncharge(job, 1);
                assertThat(charger.tryCharge(job, GFP_KERNEL, 1)).isZero();
                charger.uncharge(job, 1);
                charger.kmemUncharge(job, 1);
            });
            k.drainAllStock();
            assertThat(job.memory().read()).as("the page cpu1 holds").isOne();
            cpus.bind(0);
            charger.kmemUncharge(job, 1);
            cpus.unbind();
            k.drainAllStock();
            assertThat(job.memory().read()).as("every charge ended").isZero();
            for (int c = 0; c < stock.nrStocks(); c++) {
                assertThat(stock.cachedMemcg(c)).as("cpu%d's stock", c).isNull();
            }
            rounds[0]++;
        });

        assertThat(run.failure()).as(run.describe()).isNull();
        assertThat(rounds[0]).as("rounds run").isEqualTo(ITERATIONS);
        cgroups.rmdir(job);
        k.close();
    }
}
