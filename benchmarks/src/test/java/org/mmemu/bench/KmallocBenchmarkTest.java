package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.stat.MemcgStatItem;

/** The benchmark's loops run as JMH would run them and leave every slab consistent. */
class KmallocBenchmarkTest {
    private static final int ROUNDS = 1000;
    private final KmallocBenchmark b = new KmallocBenchmark();

    /**
     * Runs {@code pair} {@link #ROUNDS} more times after a first: the CPU's free list hands the
     * same object back each time.
     */
    private static void repeatsOnOneObject(LongSupplier pair) {
        long first = pair.getAsLong();
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(pair.getAsLong()).as("round %d: the CPU's free list hands the same object back", i)
                    .isEqualTo(first);
        }
    }

    /** A booted accounting machine, its thread in {@code /bench}. */
    private static KmallocBenchmark.AccountedMachine accountingMachine() {
        KmallocBenchmark.AccountedMachine m = new KmallocBenchmark.AccountedMachine();
        m.boot();
        return m;
    }

    /** The accounting machine's cgroup {@code /bench}. */
    private static MemCgroup bench(KmallocBenchmark.AccountedMachine m) {
        return m.injector.getInstance(Cgroups.class).tree().root().children().get(0);
    }

    @Test
    void thePairsReuseOneObjectAndLeaveNothingBehind() {
        KmallocBenchmark.Machine m = new KmallocBenchmark.Machine();
        m.boot();
        repeatsOnOneObject(() -> {
            long x = b.kmalloc64(m);
            assertThat(b.freePointerLean(m)).isEqualTo(m.object);
            assertThat(b.freePointerGeneric(m)).hasSize(Long.BYTES);
            return x;
        });
        m.check();
    }

    @Test
    void theAccountedPairIsChargedAndGivesEveryByteBack() {
        KmallocBenchmark.AccountedMachine m = accountingMachine();
        repeatsOnOneObject(() -> b.kmalloc64Accounted(m));
        MemCgroup bench = bench(m);
        assertThat(bench.memory().read()).as("a page charged for the byte stock").isPositive();
        long x = m.kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT);
        // The latest era caches slab statistics in the per-CPU obj stock until a drain (5.14).
        Cgroups cgroups = m.injector.getInstance(Cgroups.class);
        m.injector.getInstance(MemcgCharger.class).stock().drainAll(cgroups.root());
        assertThat(bench.stats().local(MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B)).as("charged").isEqualTo(72);
        m.kmalloc.kfree(x);
        m.check();
    }

    @Test
    void theUnaccountedPairOnTheAccountingMachineChargesNothing() {
        KmallocBenchmark.AccountedMachine m = accountingMachine();
        repeatsOnOneObject(() -> b.kmalloc64HooksOn(m));
        MemCgroup bench = bench(m);
        assertThat(bench.memory().read()).as("pages charged to /bench").isZero();
        assertThat(bench.stats().local(MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B)).isZero();
        m.check();
    }
}
