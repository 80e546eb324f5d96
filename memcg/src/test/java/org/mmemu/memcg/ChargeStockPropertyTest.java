package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mmemu.core.testing.Seeded;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * Several CPUs charge and uncharge (directly and through the stocks) over a small hierarchy
 * with limits while another thread drains every stock at random moments. At quiescence, once
 * the stocks are drained, each cgroup's usage is exactly what its subtree still holds and the
 * kmem statistic matches the kmem pages held.
 */
class ChargeStockPropertyTest {
    private static final int CHARGERS = 3;
    private static final int OPS = 4_000;

    @Test
    void usageIsExactAtQuiescence() {
        for (long seed = 1; seed <= 4; seed++) {
            Seeded.run(0x570cL * seed, this::runOnce);
        }
    }

    private void runOnce(SplittableRandom rnd) {
        MemcgMachine m = MemcgMachine.boot(MemcgConfig.LATEST.withChargeBatch(1 + rnd.nextInt(64)));
        List<MemCgroup> groups = new ArrayList<>();
        groups.add(m.cgroups.mkdir("/g0"));
        for (int i = 1; i < 6; i++) {
            MemCgroup parent = groups.get(rnd.nextInt(groups.size()));
            groups.add(m.cgroups.mkdir(parent, "g" + i));
        }
        for (MemCgroup g : groups) {
            if (rnd.nextBoolean()) {
                g.memory().exchangeMax(50 + rnd.nextInt(400));
            }
        }
        long[][] held = new long[CHARGERS][groups.size()];
        long[][] heldKmem = new long[CHARGERS][groups.size()];
        CyclicBarrier start = new CyclicBarrier(CHARGERS + 1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int th = 0; th < CHARGERS; th++) {
            int cpu = th;
            SplittableRandom mine = rnd.split();
            threads.add(new Thread(() -> run(m, cpu, start, error, () ->
                    charge(m, groups, mine, held[cpu], heldKmem[cpu]))));
        }
        SplittableRandom drainRnd = rnd.split();
        threads.add(new Thread(() -> run(m, CHARGERS, start, error, () -> {
            for (int i = 0; i < OPS / 20; i++) {
                m.stock.drainAll(groups.get(drainRnd.nextInt(groups.size())));
                Thread.yield();
            }
        })));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(error.get()).isNull();

        m.stock.drainAll(m.tree.root());
        for (int g = 0; g < groups.size(); g++) {
            MemCgroup group = groups.get(g);
            long expected = 0;
            for (int h = 0; h < groups.size(); h++) {
                if (groups.get(h).isDescendantOf(group)) {
                    for (int th = 0; th < CHARGERS; th++) {
                        expected += held[th][h];
                    }
                }
            }
            long kmem = 0;
            for (int th = 0; th < CHARGERS; th++) {
                kmem += heldKmem[th][g];
            }
            assertThat(group.memory().read()).as("usage of %s", group).isEqualTo(expected);
            assertThat(group.stats().local(MemcgStatItem.MEMCG_KMEM)).as("kmem of %s", group).isEqualTo(kmem);
        }
        for (int g = 0; g < groups.size(); g++) {
            for (int th = 0; th < CHARGERS; th++) {
                m.charger.uncharge(groups.get(g), (int) (held[th][g] - heldKmem[th][g]));
                if (heldKmem[th][g] > 0) {
                    m.charger.kmemUncharge(groups.get(g), (int) heldKmem[th][g]);
                }
            }
        }
        for (int g = groups.size() - 1; g >= 0; g--) {
            m.cgroups.rmdir(groups.get(g));
        }
        m.assertNoLeaks();
        assertThat(m.tree.root().nrDyingDescendants()).as("dying cgroups")
                .isEqualTo(m.dyingPinnedByEmptyStocks().size());
    }

    private static void charge(MemcgMachine m, List<MemCgroup> groups, SplittableRandom rnd,
                               long[] held, long[] heldKmem) {
        for (int i = 0; i < OPS; i++) {
            int g = rnd.nextInt(groups.size());
            int n = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 100 : 8);
            MemCgroup group = groups.get(g);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    if (m.charger.tryCharge(group, GFP_KERNEL, n) == 0) {
                        held[g] += n;
                    }
                }
                case 1 -> {
                    if (m.charger.kmemCharge(group, GFP_KERNEL, n) == 0) {
                        held[g] += n;
                        heldKmem[g] += n;
                    }
                }
                case 2 -> {
                    int give = (int) Math.min(n, held[g] - heldKmem[g]);
                    if (give > 0) {
                        m.charger.uncharge(group, give);
                        held[g] -= give;
                    }
                }
                default -> {
                    int give = (int) Math.min(n, heldKmem[g]);
                    if (give > 0) {
                        m.charger.kmemUncharge(group, give);
                        held[g] -= give;
                        heldKmem[g] -= give;
                    }
                }
            }
        }
    }

    private static void run(MemcgMachine m, int cpu, CyclicBarrier start,
                            AtomicReference<Throwable> error, Runnable body) {
        try {
            m.cpus.bind(cpu);
            start.await(30, TimeUnit.SECONDS);
            body.run();
        } catch (Throwable e) {
            error.compareAndSet(null, e);
        } finally {
            m.cpus.unbind();
        }
    }
}
