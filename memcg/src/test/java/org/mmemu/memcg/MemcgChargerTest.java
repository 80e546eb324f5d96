package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_ATOMIC;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_NOWAIT;
import static org.mmemu.core.page.Gfp.__GFP_NOFAIL;
import static org.mmemu.core.page.Gfp.__GFP_NORETRY;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Errno;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.stat.MemcgEvent;
import org.mmemu.memcg.stat.MemcgStatItem;

class MemcgChargerTest {
    private static final int ENOMEM = Errno.ENOMEM.negative();
    /** try_charge's MAX events for a hopeless GFP_KERNEL charge: before and after the drain, then one per retry. */
    private static final int MAX_EVENTS_16_RETRIES = 1 + 1 + 16;

    private MemcgMachine m = MemcgMachine.boot();

    @AfterEach
    void noLeaks() {
        m.assertNoLeaks();
    }

    @Test
    void theRootIsNeverCharged() {
        assertThat(m.charger.tryCharge(m.tree.root(), GFP_KERNEL, 5)).isZero();
        assertThat(m.tree.root().memory().read()).isZero();
        assertThat(m.stock.stockedPages(0)).isZero();
    }

    @Test
    void aChargeTakesABatchAndParksTheSurplusInThisCpusStock() {
        MemCgroup job = m.cgroups.mkdir("/job");
        assertThat(m.charger.tryCharge(job, GFP_KERNEL, 1)).isZero();
        assertThat(job.memory().read()).as("memory.current includes the stock").isEqualTo(64);
        assertThat(m.stock.cachedMemcg(0)).isSameAs(job);
        assertThat(m.stock.stockedPages(0)).isEqualTo(63);

        assertThat(m.charger.tryCharge(job, GFP_KERNEL, 3)).isZero();
        assertThat(job.memory().read()).as("consumed from the stock").isEqualTo(64);
        assertThat(m.stock.stockedPages(0)).isEqualTo(60);
        m.charger.uncharge(job, 4);
        m.cgroups.rmdir(job);
        assertThat(job.state()).as("rmdir drained the stock and its reference").isEqualTo(MemCgroup.State.RELEASED);
    }

    @Test
    void theBatchIsAnEraKnob() {
        m = MemcgMachine.boot(MemcgConfig.LATEST.withChargeBatch(32));
        MemCgroup job = m.cgroups.mkdir("/job");
        m.charger.tryCharge(job, GFP_KERNEL, 1);
        assertThat(job.memory().read()).isEqualTo(32);
        m.charger.tryCharge(job, GFP_KERNEL, 40);
        assertThat(m.stock.stockedPages(0)).as("a charge above the batch is taken whole").isEqualTo(31);
        m.charger.uncharge(job, 41);
        m.cgroups.rmdir(job);
    }

    @Test
    void stockingAnotherMemcgDrainsTheFirst() {
        MemCgroup a = m.cgroups.mkdir("/a");
        MemCgroup b = m.cgroups.mkdir("/b");
        m.charger.tryCharge(a, GFP_KERNEL, 1);
        m.charger.tryCharge(b, GFP_KERNEL, 1);
        assertThat(a.memory().read()).isEqualTo(1);
        assertThat(b.memory().read()).isEqualTo(64);
        assertThat(m.stock.cachedMemcg(0)).isSameAs(b);
        m.charger.uncharge(a, 1);
        m.charger.uncharge(b, 1);
        m.cgroups.rmdir(a);
        m.cgroups.rmdir(b);
    }

    @Test
    void kmemUnchargeRefillsTheStockAndSpillsAboveABatch() {
        MemCgroup job = m.cgroups.mkdir("/job");
        m.charger.kmemCharge(job, GFP_KERNEL, 2);
        m.charger.kmemUncharge(job, 2);
        assertThat(job.memory().read()).as("the pages went back to the stock, not the counter").isEqualTo(64);
        assertThat(m.stock.stockedPages(0)).isEqualTo(64);
        m.charger.kmemCharge(job, GFP_KERNEL, 100);
        m.charger.kmemUncharge(job, 100);
        assertThat(m.stock.stockedPages(0)).as("164 > batch: drained").isZero();
        assertThat(job.memory().read()).isZero();
        m.cgroups.rmdir(job);
    }

    @Test
    void aKmemChargeAndUnchargeOnTheCallersCpuUseThatCpusStockAndStatRow() throws InterruptedException {
        MemCgroup job = m.cgroups.mkdir("/job");
        onCpu(1, () -> {
            Cpu cpu = m.cpus.current();
            assertThat(m.charger.kmemCharge(cpu, job, GFP_KERNEL, 1)).isZero();
            m.charger.kmemUncharge(cpu, job, 1);
        });
        assertThat(m.stock.stockedPages(1)).as("the batch went to cpu1's stock").isEqualTo(64);
        assertThat(m.stock.stockedPages(0)).isZero();
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).as("charged, then uncharged").isZero();
        assertThat(job.memory().read()).isEqualTo(64);
        m.cgroups.rmdir(job);
        assertThat(job.state()).as("rmdir drained cpu1's stock").isEqualTo(MemCgroup.State.RELEASED);
    }

    @Test
    void beforeTheLatestEraAKmemChargeToTheRootSkipsTheCountersButCountsKmem() {
        m = MemcgMachine.boot(MemcgConfig.LATEST.withChargeSemantics(ChargeSemantics.V5_10));
        MemCgroup root = m.tree.root();
        assertThat(m.charger.kmemCharge(root, GFP_KERNEL, 2)).isZero();
        assertThat(root.memory().read()).isZero();
        assertThat(m.stock.stockedPages(0)).isZero();
        assertThat(root.stats().local(MemcgStatItem.MEMCG_KMEM)).isEqualTo(2);
        // Undo the stat by hand: the root was never charged, so there is nothing to uncharge.
        root.stats().mod(MemcgStatItem.MEMCG_KMEM, -2);
    }

    @Test
    void withThePageStockOffEveryChargeAndUnchargeGoesToTheCounters() {
        m = MemcgMachine.boot(MemcgConfig.LATEST.withPageStock(false));
        MemCgroup parent = m.cgroups.mkdir("/job");
        assertThat(m.tree.setSubtreeMemory(parent, true)).isZero();
        MemCgroup job = m.cgroups.mkdir("/job/a");
        assertThat(m.charger.kmemCharge(job, GFP_KERNEL, 1)).isZero();
        assertThat(job.memory().read()).as("exactly the page, no batch").isEqualTo(1);
        assertThat(parent.memory().read()).as("and its ancestors").isEqualTo(1);
        assertThat(m.stock.cachedMemcg(0)).as("nothing stocked").isNull();

        assertThat(m.charger.tryCharge(job, GFP_KERNEL, 1)).isZero();
        assertThat(job.memory().read()).as("the second charge hits the counters too").isEqualTo(2);

        m.charger.kmemUncharge(job, 1);
        assertThat(job.memory().read()).as("a kmem uncharge is not parked either").isEqualTo(1);
        assertThat(m.stock.stockedPagesOf(job)).isZero();
        m.charger.uncharge(job, 1);
        assertThat(parent.memory().read()).isZero();
        m.cgroups.rmdir(job);
        m.cgroups.rmdir(parent);
        assertThat(job.state()).as("no stock pinned the cgroup").isEqualTo(MemCgroup.State.RELEASED);
    }

    @Test
    void drainAllEmptiesOtherCpusStocksOfTheSubtree() throws Exception {
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup a = m.cgroups.mkdir("/job/a");
        MemCgroup other = m.cgroups.mkdir("/other");
        onCpu(1, () -> m.charger.tryCharge(a, GFP_KERNEL, 1));
        onCpu(2, () -> m.charger.tryCharge(other, GFP_KERNEL, 1));
        assertThat(job.memory().read()).isEqualTo(64);
        m.stock.drainAll(job);
        assertThat(job.memory().read()).isEqualTo(1);
        assertThat(m.stock.stockedPages(1)).isZero();
        assertThat(m.stock.stockedPages(2)).as("outside the subtree").isEqualTo(63);
        m.charger.uncharge(a, 1);
        m.charger.uncharge(other, 1);
        m.cgroups.rmdir(a);
        m.cgroups.rmdir(job);
        m.cgroups.rmdir(other);
    }

    @Test
    void aChargeOverTheLimitFirstDrainsTheStocksThatHoldTheRoom() throws Exception {
        MemCgroup job = m.cgroups.mkdir("/job");
        job.memory().exchangeMax(64);
        onCpu(1, () -> m.charger.tryCharge(job, GFP_KERNEL, 1));
        assertThat(job.memory().read()).isEqualTo(64);
        assertThat(m.charger.tryCharge(job, GFP_KERNEL, 10)).isZero();
        assertThat(job.memory().read()).isEqualTo(11);
        assertThat(job.events().hierarchical(MemcgEvent.MAX)).isEqualTo(1);
        m.charger.uncharge(job, 11);
        m.cgroups.rmdir(job);
    }

    @Test
    void latestFailsAHopelessChargeAfterCountingEveryRetryAndAnOom() {
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup a = m.cgroups.mkdir("/job/a");
        job.memory().exchangeMax(8);
        assertThat(m.charger.tryCharge(a, GFP_KERNEL, 5)).isZero();
        assertThat(m.charger.tryCharge(a, GFP_KERNEL, 5)).isEqualTo(ENOMEM);
        assertThat(a.memory().read()).isEqualTo(5);
        assertThat(job.events().local(MemcgEvent.MAX)).isEqualTo(MAX_EVENTS_16_RETRIES);
        assertThat(job.events().hierarchical(MemcgEvent.OOM)).isEqualTo(1);
        assertThat(a.events().hierarchical(MemcgEvent.MAX)).as("counted where the limit is").isZero();
        assertThat(m.log.contains("no killable processes")).isTrue();
        m.charger.uncharge(a, 5);
        m.cgroups.rmdir(a);
        m.cgroups.rmdir(job);
    }

    @Test
    void v48ReturnsEnomemAfterFiveRetriesWithoutKilling() {
        m = MemcgMachine.boot(MemcgConfig.LATEST.withChargeSemantics(ChargeSemantics.V4_8));
        MemCgroup job = m.cgroups.mkdir("/job");
        job.memory().exchangeMax(4);
        assertThat(m.charger.tryCharge(job, GFP_KERNEL, 5)).isEqualTo(ENOMEM);
        assertThat(job.events().local(MemcgEvent.MAX)).isEqualTo(1 + 1 + 5);
        assertThat(job.events().local(MemcgEvent.OOM)).isEqualTo(1);
        assertThat(m.log.contains("no killable processes")).as("no OOM kill attempted").isFalse();
        m.cgroups.rmdir(job);
    }

    @Test
    void v510ForcesTheChargeWhenTheOomKillerFindsNoVictim() {
        m = MemcgMachine.boot(MemcgConfig.LATEST.withChargeSemantics(ChargeSemantics.V5_10));
        MemCgroup job = m.cgroups.mkdir("/job");
        job.memory().exchangeMax(4);
        assertThat(m.charger.tryCharge(job, GFP_KERNEL, 5)).isZero();
        assertThat(job.memory().read()).isEqualTo(5).isGreaterThan(job.memory().max());
        assertThat(job.events().local(MemcgEvent.OOM)).isEqualTo(1);
        m.charger.uncharge(job, 5);
        m.cgroups.rmdir(job);
    }

    @ParameterizedTest
    @EnumSource(value = ChargeSemantics.class, names = {"V4_8", "V5_10"})
    void untilTheLatestEraATaskWithSigkillPendingHasItsChargeForced(ChargeSemantics semantics) {
        // try_charge: fatal_signal_pending(current) goes to force before any reclaim (4.6.2,
        // should_force_charge in 5.x), so a killed task can finish its system call and exit.
        m = MemcgMachine.boot(MemcgConfig.LATEST.withChargeSemantics(semantics));
        MemCgroup job = m.cgroups.mkdir("/job");
        job.memory().exchangeMax(4);
        TaskStruct killed = m.userTask("killed", job);
        Exit exit = m.injector.getInstance(Exit.class);
        try (var s = m.tasks.enter(killed)) {
            assertThat(exit.sigkill(killed)).as("a CPU runs it: it dies on its way out").isFalse();
            assertThat(m.charger.tryCharge(job, GFP_KERNEL, 5)).isZero();
        }
        assertThat(job.memory().read()).isEqualTo(5).isGreaterThan(job.memory().max());
        assertThat(job.events().local(MemcgEvent.MAX)).as("forced before any reclaim").isZero();
        m.charger.uncharge(job, 5);
        assertThat(exit.exitIfKilled(killed)).isTrue();
        m.cgroups.rmdir(job);
    }

    @Test
    void theLatestKernelFailsTheChargeOfATaskWithSigkillPendingOnceTheOomKillerRan() {
        // a4ebf1b6ca1e: no forced charge for dying tasks; once past the OOM killer, -ENOMEM.
        MemCgroup job = m.cgroups.mkdir("/job");
        job.memory().exchangeMax(4);
        TaskStruct killed = m.userTask("killed", job);
        Exit exit = m.injector.getInstance(Exit.class);
        try (var s = m.tasks.enter(killed)) {
            exit.sigkill(killed);
            assertThat(m.charger.tryCharge(job, GFP_KERNEL, 5)).isEqualTo(ENOMEM);
        }
        assertThat(job.memory().read()).isZero();
        assertThat(job.events().local(MemcgEvent.OOM)).isEqualTo(1);
        assertThat(job.events().local(MemcgEvent.MAX)).as("the retries, then as many again after the OOM killer")
                .isEqualTo(MAX_EVENTS_16_RETRIES + 1 + 16);
        assertThat(exit.exitIfKilled(killed)).isTrue();
        m.cgroups.rmdir(job);
    }

    @Test
    void nonBlockingChargesFailAtOnceWithoutEventsUnlessHighPriority() {
        MemCgroup job = m.cgroups.mkdir("/job");
        job.memory().exchangeMax(1);
        assertThat(m.charger.tryCharge(job, GFP_NOWAIT, 2)).isEqualTo(ENOMEM);
        assertThat(job.events().local(MemcgEvent.MAX)).isZero();
        assertThat(m.charger.tryCharge(job, GFP_ATOMIC, 2)).as("__GFP_HIGH forces").isZero();
        assertThat(job.events().local(MemcgEvent.MAX)).as("a forced charge still counts max").isEqualTo(1);
        assertThat(job.memory().read()).isEqualTo(2);
        m.charger.uncharge(job, 2);
        m.cgroups.rmdir(job);
    }

    @Test
    void noretryStopsAfterTheDrainAndNofailForces() {
        MemCgroup job = m.cgroups.mkdir("/job");
        job.memory().exchangeMax(1);
        assertThat(m.charger.tryCharge(job, GFP_KERNEL | __GFP_NORETRY, 2)).isEqualTo(ENOMEM);
        assertThat(job.events().local(MemcgEvent.MAX)).isEqualTo(2);
        assertThat(m.charger.tryCharge(job, GFP_KERNEL | __GFP_NOFAIL, 2)).isZero();
        assertThat(job.memory().read()).isEqualTo(2);
        m.charger.uncharge(job, 2);
        m.cgroups.rmdir(job);
    }

    @Test
    void aChargeAboveMemoryHighCountsAHighEventUpToTheLevelOverIt() {
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup a = m.cgroups.mkdir("/job/a");
        job.memory().setHigh(10);
        m.charger.tryCharge(a, GFP_KERNEL, 1);
        assertThat(job.events().local(MemcgEvent.HIGH)).isEqualTo(1);
        assertThat(a.events().local(MemcgEvent.HIGH)).isZero();
        assertThat(a.events().hierarchical(MemcgEvent.HIGH)).isZero();
        m.charger.uncharge(a, 1);
        m.cgroups.rmdir(a);
        m.cgroups.rmdir(job);
    }

    @Test
    void getOrderMatchesTheKernel() {
        assertThat(MemcgCharger.orderOf(1)).isZero();
        assertThat(MemcgCharger.orderOf(2)).isEqualTo(1);
        assertThat(MemcgCharger.orderOf(3)).isEqualTo(2);
        assertThat(MemcgCharger.orderOf(8)).isEqualTo(3);
        assertThat(MemcgCharger.orderOf(9)).isEqualTo(4);
    }

    /** Runs {@code body} on a thread bound to emulated CPU {@code cpu} and waits for it. */
    static void onCpu(MemcgMachine m, int cpu, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                m.cpus.bind(cpu);
                body.run();
            } catch (Throwable e) {
                error.set(e);
            } finally {
                m.cpus.unbind();
            }
        }, "cpu" + cpu);
        t.start();
        t.join();
        if (error.get() != null) {
            throw new AssertionError("on cpu" + cpu, error.get());
        }
    }

    private void onCpu(int cpu, Runnable body) throws InterruptedException {
        onCpu(m, cpu, body);
    }
}
