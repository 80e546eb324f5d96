package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.concurrent.TimeUnit;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemcgConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target 4 of the benchmark issue: charging and uncharging a single page to a cgroup three
 * levels deep, through the per-CPU stock ({@code stock=true}, the kernel) and with the stock
 * bypassed ({@code stock=false}, {@link MemcgConfig#withPageStock}: every charge and uncharge
 * walks the three page counters). The latest era's memcg, one thread.
 *
 * <ul>
 *   <li>{@code kmemChargeUncharge}: {@code __memcg_kmem_charge} + {@code __memcg_kmem_uncharge},
 *       the pair every accounted page allocation and free does; from 5.11 both sides use the
 *       stock, so with it the counters are never touched;</li>
 *   <li>{@code chargeUncharge}: {@code try_charge} + {@code uncharge_batch} of one page, the
 *       user-page pair: the stock serves the charge, the uncharge always hits the counters.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
public class ChargeStockBenchmark {

    @State(Scope.Benchmark)
    public static class Memcg {
        @Param({"true", "false"})
        public boolean stock;

        BenchMachine m;
        MemcgCharger charger;
        MemCgroup leaf;

        @Setup(Level.Trial)
        public void boot() {
            m = BenchMachine.memcg(1, MemcgConfig.LATEST.withPageStock(stock), null, null);
            charger = m.injector.getInstance(MemcgCharger.class);
            leaf = m.leaf();
            int expected = stock ? charger.stock().batch() : 1;
            if (charger.stock().chargeBatch(1) != expected) {
                throw new IllegalStateException("a one-page charge should take " + expected + " pages");
            }
        }

        @TearDown(Level.Iteration)
        public void checkNoLeak() {
            m.checkQuiescent();
        }

        @TearDown(Level.Trial)
        public void checkDrained() {
            m.checkDrained();
        }
    }

    @Benchmark
    public int kmemChargeUncharge(Memcg c) {
        int ret = c.charger.kmemCharge(c.leaf, GFP_KERNEL_ACCOUNT, 1);
        c.charger.kmemUncharge(c.leaf, 1);
        return ret;
    }

    @Benchmark
    public int chargeUncharge(Memcg c) {
        int ret = c.charger.tryCharge(c.leaf, GFP_KERNEL, 1);
        c.charger.uncharge(c.leaf, 1);
        return ret;
    }
}
