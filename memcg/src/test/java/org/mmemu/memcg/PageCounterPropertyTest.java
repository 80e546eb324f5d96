package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.testing.Seeded;

/**
 * Random charges, uncharges and limit changes over a random hierarchy from several threads at
 * once; at quiescence every level must hold exactly what was charged in its subtree and not
 * uncharged, every failure must be counted at the level that refused it, and nothing may stay
 * charged once every thread has given back what it holds.
 */
class PageCounterPropertyTest {
    private static final int THREADS = 3;
    private static final int OPS = 20_000;

    @Test
    void concurrentTotalsAreExactAtQuiescence() {
        for (long seed = 1; seed <= 8; seed++) {
            Seeded.run(0x9a6eL * seed, this::runOnce);
        }
    }

    @Test
    void sequentialRunMatchesAModel() {
        Seeded.run(0x5e9L, rnd -> {
            Tree t = Tree.random(rnd);
            long[] local = new long[t.size()];
            for (int i = 0; i < OPS; i++) {
                int n = rnd.nextInt(t.size());
                long pages = 1 + rnd.nextInt(8);
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        PageCounter fail = t.counters[n].tryCharge(pages);
                        PageCounter expected = t.firstOverMax(n, pages, local);
                        assertThat(fail).as("op %d", i).isSameAs(expected);
                        if (fail == null) {
                            local[n] += pages;
                        }
                    }
                    case 1 -> {
                        t.counters[n].charge(pages);
                        local[n] += pages;
                    }
                    case 2 -> {
                        long give = Math.min(pages, local[n]);
                        if (give > 0) {
                            t.counters[n].uncharge(give);
                            local[n] -= give;
                        }
                    }
                    default -> {
                        long max = rnd.nextInt(60);
                        long usage = t.subtreeSum(n, local);
                        assertThat(t.counters[n].setMax(max))
                                .isEqualTo(usage > max ? Errno.EBUSY.negative() : 0);
                    }
                }
                for (int c = 0; c < t.size(); c++) {
                    assertThat(t.counters[c].read()).isEqualTo(t.subtreeSum(c, local));
                    assertThat(t.counters[c].watermark()).isGreaterThanOrEqualTo(t.counters[c].read());
                }
            }
            for (int c = 0; c < t.size(); c++) {
                if (local[c] > 0) {
                    t.counters[c].uncharge(local[c]);
                }
            }
            t.assertAllZero();
        });
    }

    private void runOnce(SplittableRandom rnd) {
        Tree t = Tree.random(rnd);
        long[][] held = new long[THREADS][t.size()];
        long[][] fails = new long[THREADS][t.size()];
        CyclicBarrier start = new CyclicBarrier(THREADS);
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int th = 0; th < THREADS; th++) {
            SplittableRandom mine = rnd.split();
            long[] h = held[th];
            long[] f = fails[th];
            boolean limiter = th == 0;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    work(t, mine, h, f, limiter);
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            }, "charger-" + th));
        }
        threads.forEach(Thread::start);
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(error.get()).isNull();

        long[] total = new long[t.size()];
        for (int c = 0; c < t.size(); c++) {
            long failures = 0;
            for (int th = 0; th < THREADS; th++) {
                total[c] += held[th][c];
                failures += fails[th][c];
            }
            assertThat(t.counters[c].failcnt()).as("failcnt of node %d", c).isEqualTo(failures);
        }
        for (int c = 0; c < t.size(); c++) {
            assertThat(t.counters[c].read()).as("usage of node %d", c).isEqualTo(t.subtreeSum(c, total));
            assertThat(t.counters[c].watermark()).isGreaterThanOrEqualTo(t.counters[c].read());
        }
        for (int c = 0; c < t.size(); c++) {
            if (total[c] > 0) {
                t.counters[c].uncharge(total[c]);
            }
        }
        t.assertAllZero();
    }

    private static void work(Tree t, SplittableRandom rnd, long[] held, long[] fails, boolean limiter) {
        for (int i = 0; i < OPS; i++) {
            int n = rnd.nextInt(t.size());
            long pages = 1 + rnd.nextInt(8);
            int op = rnd.nextInt(limiter ? 4 : 3);
            if (op == 0) {
                PageCounter fail = t.counters[n].tryCharge(pages);
                if (fail == null) {
                    held[n] += pages;
                } else {
                    fails[t.indexOf(fail)]++;
                }
            } else if (op == 1) {
                if (rnd.nextInt(4) == 0) {
                    t.counters[n].charge(pages);
                    held[n] += pages;
                }
            } else if (op == 2) {
                long give = Math.min(pages, held[n]);
                if (give > 0) {
                    t.counters[n].uncharge(give);
                    held[n] -= give;
                }
            } else {
                // Only this thread changes limits: the kernel requires setters to serialize.
                t.counters[n].setMax(rnd.nextInt(4) == 0 ? PageCounter.PAGE_COUNTER_MAX : 20 + rnd.nextInt(200));
            }
        }
    }

    /** A random tree of counters; node 0 is the root and parents precede children. */
    private static final class Tree {
        final PageCounter[] counters;
        final int[] parent;

        private Tree(int n, SplittableRandom rnd) {
            counters = new PageCounter[n];
            parent = new int[n];
            counters[0] = new PageCounter(null);
            parent[0] = -1;
            for (int i = 1; i < n; i++) {
                parent[i] = rnd.nextInt(i);
                counters[i] = new PageCounter(counters[parent[i]]);
            }
        }

        static Tree random(SplittableRandom rnd) {
            return new Tree(2 + rnd.nextInt(10), rnd);
        }

        int size() {
            return counters.length;
        }

        int indexOf(PageCounter c) {
            for (int i = 0; i < counters.length; i++) {
                if (counters[i] == c) {
                    return i;
                }
            }
            throw new AssertionError("not in the tree: " + c);
        }

        boolean inSubtree(int node, int of) {
            for (int n = node; n >= 0; n = parent[n]) {
                if (n == of) {
                    return true;
                }
            }
            return false;
        }

        long subtreeSum(int of, long[] local) {
            long sum = 0;
            for (int i = 0; i < local.length; i++) {
                if (inSubtree(i, of)) {
                    sum += local[i];
                }
            }
            return sum;
        }

        /** The model of try_charge: the first level, from {@code n} up, that would pass max. */
        PageCounter firstOverMax(int n, long pages, long[] local) {
            for (int c = n; c >= 0; c = parent[c]) {
                if (subtreeSum(c, local) + pages > counters[c].max()) {
                    return counters[c];
                }
            }
            return null;
        }

        void assertAllZero() {
            for (PageCounter c : counters) {
                assertThat(c.read()).isZero();
            }
        }
    }
}
