package org.mmemu.it.stress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.core.testing.Seeded;
import org.mmemu.it.fixture.Soak;
import org.mmemu.it.walk.BootState;
import org.mmemu.it.walk.ChargeRules;
import org.mmemu.it.walk.ModelCgroup;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.stat.MemcgEvent;

/**
 * 2 to 8 threads, each on its own emulated CPU, doing the walk's actions on shared cgroups
 * that they also remove, re-make and limit, for {@value #MILLIS} ms per era (100 times as long
 * under {@code -Psoak}). At quiescence (threads joined, RCU idle, stocks drained) each cgroup's
 * {@code memory.current} is exactly what the threads still hold in it and below (up to 5.8 with
 * the slab pages of its cache clones, from 5.9 with
 * less than a page per obj_cgroup and CPU beside, the byte stocks' remainders); after the
 * teardown the kernel is at its boot state, but for the removed cgroups that a CPU's emptied
 * stock still pins ({@link org.mmemu.memcg.ChargeStock#dyingPinnedByEmptyStocks}). From 5.9 the limits written run the OOM killer,
 * whose victims may be in a system call on another CPU: OOM kills must have happened.
 */
class ConcurrentStressTest {
    static final int MILLIS = 1500;
    static final int MAX_THREADS = 8;

    @Eras(memory = "64M", cpus = MAX_THREADS + 1)
    void threadsOnTheirOwnCpusLeaveExactTotalsAtQuiescence(Kernel k) {
        Seeded.run(0x57e55_0016L + k.era().ordinal(), rnd -> stress(k, rnd));
    }

    private static void stress(Kernel k, SplittableRandom rnd) {
        BootState boot = quiesce(k);
        int threads = rnd.nextInt(2, MAX_THREADS + 1);
        SharedCgroups cgroups = new SharedCgroups(k);
        List<StressWorker> workers = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(threads);
        long millis = Soak.scale(MILLIS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        List<CpuThread> cpus = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            StressWorker w = new StressWorker(k, cgroups, rnd.nextLong());
            workers.add(w);
            CpuThread cpu = CpuThread.start(k.get(Cpus.class), i + 1);
            cpus.add(cpu);
            cpu.submit(() -> {
                try {
                    w.run(deadline);
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        await(done, millis + TimeUnit.SECONDS.toMillis(60));
        cpus.forEach(CpuThread::finish);
        if (!errors.isEmpty()) {
            throw new AssertionError(errors.size() + " of " + threads + " threads failed, the first: " + errors.peek(),
                    errors.peek());
        }

        quiesce(k);
        List<ModelCgroup> all = cgroups.all();
        all.forEach(ModelCgroup::clearCharges);
        workers.forEach(StressWorker::countCharges);
        ChargeRules rules = ChargeRules.of(k.era());
        boolean bytes = rules.slabBytesCharged();
        for (ModelCgroup g : all) {
            long current = k.cgroupfs().readLong(g.path() + "/memory.current");
            long held = g.subtreeBytes() + rules.clonePageBytes(k, g.path());
            // Each CPU's drain leaves its byte stock's remainder (less than a page) in the
            // obj_cgroup's nr_charged_bytes (memcontrol.c drain_obj_stock, 5.9.1), where it stays
            // charged until a stock takes it back.
            long slack = bytes ? MemMap.PAGE_SIZE * g.subtreeObjcgs() * (threads + 1) : 0;
            assertThat(current).as("%s/memory.current with %d threads at quiescence", g.path(), threads)
                    .isBetween(held, held + slack);
        }

        if (k.era().compareTo(Era.V5_9) >= 0) {
            // The low limits (StressWorker's MIN_MAX_PAGES) run the OOM killer from 5.9; up to
            // 4.18 a charge past them fails (the memcg OOM killer came back to the charge path in 4.19).
            assertThat(k.get(CgroupTree.class).lookup(SharedCgroups.TOP).events().hierarchical(MemcgEvent.OOM_KILL))
                    .as("OOM kills in %s with %d threads", SharedCgroups.TOP, threads).isPositive();
        }
        workers.forEach(StressWorker::release);
        cgroups.removeAll();
        quiesce(k);
        // A CPU whose stock the workers emptied still pins the cgroup it caches, as in the kernel.
        int pinned = k.get(MemcgCharger.class).stock().dyingPinnedByEmptyStocks().size();
        assertThat(BootState.of(k, pinned)).as("after the teardown, %d dying cgroups pinned by empty stocks aside",
                pinned).isEqualTo(boot);
        assertThat(k.checkConsistency()).as("after the teardown").isEmpty();
    }

    private static BootState quiesce(Kernel k) {
        k.get(Rcu.class).rcuBarrier();
        k.drainAllStock();
        return BootState.of(k);
    }

    private static void await(CountDownLatch done, long millis) {
        try {
            assertThat(done.await(millis, TimeUnit.MILLISECONDS)).as("every thread done within " + millis + " ms").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
