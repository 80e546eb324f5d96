package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;

/** The benchmark fixture boots what the benchmarks claim to measure, and its checks catch leaks. */
class BenchMachineTest {

    @ParameterizedTest
    @EnumSource(KmemDesign.class)
    void eachDesignChargesAnAccountedPageToTheCgroupThreeLevelsDeep(KmemDesign design) {
        BenchMachine m = BenchMachine.memcg(1, design.config, design.kmemPolicy, design.pageTypeEncoding);
        assertThat(m.injector.getInstance(KmemAccountingPolicy.class).policyName()).isEqualTo(design.kmemPolicy);
        assertThat(m.injector.getInstance(PageTypeEncoding.class).policyName()).isEqualTo(design.pageTypeEncoding);
        assertThat(m.injector.getInstance(MemcgConfig.class)).isSameAs(design.config);
        MemCgroup leaf = m.leaf();
        assertThat(leaf.parent().parent().parent().isRoot()).as("three levels below the root").isTrue();
        assertThat(m.hooksOn()).isTrue();

        try (BenchMachine.ThreadContext t = m.enterThread()) {
            m.expectCharged(GFP_KERNEL_ACCOUNT, true);
            assertThatThrownBy(() -> m.expectCharged(GFP_KERNEL_ACCOUNT, false))
                    .hasMessageContaining("should not be charged");
            m.expectCharged(GFP_KERNEL, false);
            Page page = m.alloc.allocPage(GFP_KERNEL_ACCOUNT);
            assertThat(leaf.parent().parent().memory().read()).as("the top level pays too").isPositive();
            m.alloc.freePage(page);
        }
        m.checkQuiescent();
        m.checkDrained();
        assertThat(leaf.memory().read()).isZero();
    }

    @Test
    void nokmemLeavesThePageHooksOffAndChargesNothing() {
        BenchMachine m = BenchMachine.memcg(1, MemcgConfig.LATEST.withKmemAccounting(false), null, null);
        assertThat(m.hooksOn()).isFalse();
        try (BenchMachine.ThreadContext t = m.enterThread()) {
            m.expectCharged(GFP_KERNEL_ACCOUNT, false);
            assertThatThrownBy(() -> m.expectCharged(GFP_KERNEL_ACCOUNT, true))
                    .hasMessageContaining("should be charged");
        }
        m.checkDrained();
    }

    @Test
    void everyBenchmarkThreadGetsItsOwnCpu() throws Exception {
        BenchMachine m = BenchMachine.mmCore(2);
        Set<Integer> cpus = ConcurrentHashMap.newKeySet();
        CyclicBarrier bothBound = new CyclicBarrier(2);
        Runnable bench = () -> {
            try (BenchMachine.ThreadContext t = m.enterThread()) {
                cpus.add(t.cpu);
                bothBound.await(10, TimeUnit.SECONDS);
                m.alloc.freePage(m.alloc.allocPage(GFP_KERNEL));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Thread a = new Thread(bench);
        Thread b = new Thread(bench);
        a.start();
        b.start();
        a.join();
        b.join();
        assertThat(cpus).containsExactlyInAnyOrder(0, 1);
        m.checkDrained();
    }

    @Test
    void theQuiescenceCheckFindsALeakedPage() {
        BenchMachine m = BenchMachine.mmCore(1);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        assertThatThrownBy(m::checkQuiescent).hasMessage("1 pages not freed");
        m.alloc.freePage(page);
        m.checkDrained();
    }

    @Test
    void theQuiescenceCheckFindsAChargeNotParkedInAStock() {
        BenchMachine m = BenchMachine.memcg(1, MemcgConfig.LATEST.withPageStock(false), null, null);
        MemcgCharger charger = m.injector.getInstance(MemcgCharger.class);
        assertThat(charger.tryCharge(m.leaf(), GFP_KERNEL, 1)).isZero();
        assertThatThrownBy(m::checkQuiescent).hasMessageContaining("has 1 pages charged, 0 in stock");
        charger.uncharge(m.leaf(), 1);
        m.checkDrained();
    }

    @Test
    void theQuiescenceCheckAcceptsPagesParkedInAStockUntilTheyAreDrained() {
        BenchMachine m = BenchMachine.memcg(1, MemcgConfig.LATEST, null, null);
        MemcgCharger charger = m.injector.getInstance(MemcgCharger.class);
        charger.kmemCharge(m.leaf(), GFP_KERNEL_ACCOUNT, 1);
        charger.kmemUncharge(m.leaf(), 1);
        assertThat(m.leaf().memory().read()).as("a batch parked in this CPU's stock").isEqualTo(64);
        m.checkQuiescent();
        m.checkDrained();
        assertThat(m.leaf().memory().read()).isZero();
    }
}
