package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.Seeded;

/**
 * Threads on different CPUs allocating and freeing at once, sharing the zone lock and passing
 * pages to each other (freed on another CPU than the one that allocated them): nothing is
 * handed out twice and every page comes back.
 */
class ConcurrentAllocTest {
    private static final int THREADS = 3;
    private static final int STEPS = 5_000;

    @Test
    void threadsOnSeveralCpusLoseNoPage() throws Exception {
        Machine m = Machine.boot();
        long seed = Seeded.seed(0xc0c0L);
        ConcurrentLinkedQueue<Page> handoff = new ConcurrentLinkedQueue<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom rnd = new SplittableRandom(seed + t);
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    run(m, rnd, handoff);
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "worker-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(errors).as("seed %d", seed).isEmpty();
        Page p;
        while ((p = handoff.poll()) != null) {
            m.refs.putPage(p);
        }
        m.alloc.drainAllPages();
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384);
        assertThat(m.badPages.reports()).isEmpty();
        assertThat(m.leakedPages()).isZero();
    }

    private static void run(Machine m, SplittableRandom rnd, ConcurrentLinkedQueue<Page> handoff) {
        List<Page> mine = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            int action = rnd.nextInt(10);
            if (action < 5) {
                int order = rnd.nextInt(3) == 0 ? rnd.nextInt(1, 5) : 0;
                Page p = m.alloc.allocPages(GFP_KERNEL | __GFP_NOWARN | (order > 0 ? __GFP_COMP : 0), order);
                if (p != null) {
                    if (rnd.nextInt(4) == 0) {
                        handoff.add(p);
                    } else {
                        mine.add(p);
                    }
                }
            } else if (action < 8 && !mine.isEmpty()) {
                m.refs.putPage(mine.remove(rnd.nextInt(mine.size())));
            } else {
                Page other = handoff.poll();
                if (other != null) {
                    m.refs.putPage(other);  // freed on this CPU, allocated on another
                }
            }
        }
        mine.forEach(m.refs::putPage);
        m.alloc.drainLocalPages();
        m.cpus.unbind();
    }
}
