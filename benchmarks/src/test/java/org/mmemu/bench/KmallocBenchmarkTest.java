package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.junit.jupiter.api.Test;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.stat.MemcgStatItem;

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

    @Test
    void theAccountedPairIsChargedAndGivesEveryByteBack() {
        KmallocBenchmark b = new KmallocBenchmark();
        KmallocBenchmark.AccountedMachine m = new KmallocBenchmark.AccountedMachine();
        m.boot();
        long first = b.kmalloc64Accounted(m);
        var bench = m.injector.getInstance(Cgroups.class).tree().root().children().get(0);
        assertThat(bench.memory().read()).as("a page charged for the byte stock").isPositive();
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(b.kmalloc64Accounted(m)).isEqualTo(first);
        }
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
        KmallocBenchmark b = new KmallocBenchmark();
        KmallocBenchmark.AccountedMachine m = new KmallocBenchmark.AccountedMachine();
        m.boot();
        long first = b.kmalloc64HooksOn(m);
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(b.kmalloc64HooksOn(m)).isEqualTo(first);
        }
        var bench = m.injector.getInstance(Cgroups.class).tree().root().children().get(0);
        assertThat(bench.memory().read()).as("pages charged to /bench").isZero();
        assertThat(bench.stats().local(MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B)).isZero();
        m.check();
    }
}
