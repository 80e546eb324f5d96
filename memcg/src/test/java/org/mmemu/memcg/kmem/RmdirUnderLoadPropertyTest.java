package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.Seeded;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;

/**
 * Threads on their own CPUs allocate and free accounted pages while moving their tasks between
 * cgroups that another thread keeps removing and creating, so stocks, css and obj_cgroup
 * references are killed and drained while live CPUs hold them. Once every thread has left its
 * CPU, every page and charge is back, every removed cgroup and every obj_cgroup is released.
 */
class RmdirUnderLoadPropertyTest {
    private static final int WORKERS = 2;
    private static final int OPS = 3_000;

    @Test
    void everythingIsReleasedOnceTheCpusGoQuiet() {
        for (TestEra era : new TestEra[] {TestEra.V5_10, TestEra.V5_11, TestEra.LATEST}) {
            Seeded.run(0x3e7d1L + era.ordinal(), rnd -> runOnce(era, rnd));
        }
    }

    private void runOnce(TestEra era, SplittableRandom rnd) {
        MemcgMachine m = era.boot();
        ConcurrentLinkedQueue<MemCgroup> live = new ConcurrentLinkedQueue<>();
        List<MemCgroup> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MemCgroup g = m.cgroups.mkdir("/g" + i);
            live.add(g);
            all.add(g);
        }
        List<Throwable> errors = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger recreated = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(WORKERS + 1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int cpu = w + 1;
            long seed = rnd.nextLong();
            threads.add(new Thread(() -> worker(m, cpu, new SplittableRandom(seed), live, recreated, start, errors)));
        }
        long removerSeed = rnd.nextLong();
        threads.add(new Thread(() -> {
            SplittableRandom r = new SplittableRandom(removerSeed);
            try {
                m.cpus.bind(WORKERS + 1);
                start.await(30, TimeUnit.SECONDS);
                int next = 3;
                while (!done.get()) {
                    MemCgroup victim = live.poll();
                    if (victim != null) {
                        try {
                            m.cgroups.rmdir(victim);
                        } catch (ErrnoException e) {
                            assertThat(e.errno()).isEqualTo(Errno.EBUSY);
                            live.add(victim);
                        }
                    }
                    if (live.size() < 3) {
                        MemCgroup g = m.cgroups.mkdir("/g" + next++);
                        synchronized (all) {
                            all.add(g);
                        }
                        live.add(g);
                        recreated.incrementAndGet();
                    }
                    if (r.nextInt(4) == 0) {
                        Thread.yield();
                    }
                }
            } catch (Throwable e) {
                synchronized (errors) {
                    errors.add(e);
                }
            } finally {
                m.cpus.unbind();
            }
        }));
        threads.forEach(Thread::start);
        for (int i = 0; i < WORKERS; i++) {
            join(threads.get(i));
        }
        done.set(true);
        join(threads.get(WORKERS));
        if (!errors.isEmpty()) {
            throw new AssertionError(errors.size() + " thread(s) failed, the first:", errors.get(0));
        }

        for (MemCgroup g : live) {
            m.cgroups.rmdir(g);
        }
        m.assertNoLeaks();
        Set<MemCgroup> pinnedByStock = m.dyingPinnedByEmptyStocks();
        assertThat(m.tree.root().nrDyingDescendants()).as("dying cgroups left")
                .isEqualTo(pinnedByStock.size());
        synchronized (all) {
            assertThat(all).as("cgroups removed and recreated under load").hasSizeGreaterThan(3);
            assertThat(all).filteredOn(g -> !pinnedByStock.contains(g))
                    .allSatisfy(g -> assertThat(g.state()).isEqualTo(MemCgroup.State.RELEASED));
        }
        assertThat(m.objcgs.reparentedTo(m.tree.root())).as("obj_cgroups left").isEmpty();
        m.cpus.unbind();
    }

    private static void worker(MemcgMachine m, int cpu, SplittableRandom rnd,
                               ConcurrentLinkedQueue<MemCgroup> live, AtomicInteger recreated, CyclicBarrier start,
                               List<Throwable> errors) {
        List<Page> held = new ArrayList<>();
        try {
            m.cpus.bind(cpu);
            TaskStruct task = m.tasks.create("worker" + cpu, new MmStruct());
            start.await(30, TimeUnit.SECONDS);
            try (Tasks.TaskScope running = m.tasks.enter(task)) {
                // At least OPS operations, and on until the remover has removed and recreated a
                // cgroup under them (a loaded machine may not schedule it sooner), within bounds.
                for (int i = 0; i < OPS || recreated.get() == 0 && i < OPS * 100; i++) {
                    int op = rnd.nextInt(10);
                    if (op == 0) {
                        MemCgroup to = rnd.nextInt(3) == 0 ? m.tree.root() : live.peek();
                        try {
                            m.cgroups.attach(task, to == null ? m.tree.root() : to);
                        } catch (ErrnoException e) {
                            assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                        }
                    } else if (op < 6 || held.isEmpty()) {
                        Page p = m.alloc.allocPage(GFP_KERNEL_ACCOUNT);
                        assertThat(p).isNotNull();
                        held.add(p);
                    } else {
                        m.alloc.freePage(held.remove(rnd.nextInt(held.size())));
                    }
                }
                held.forEach(m.alloc::freePage);
                held.clear();
                m.cgroups.attach(task, m.tree.root());
            }
            m.tree.exit(task);
        } catch (Throwable e) {
            synchronized (errors) {
                errors.add(e);
            }
        } finally {
            m.cpus.unbind();
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
