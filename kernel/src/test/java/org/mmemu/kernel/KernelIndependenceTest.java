package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * Machines booted with the same era and config share no state: each has its own services and
 * its charges stay its own, booted one after the other or at once from two threads. Only the
 * stateless policies (the era's enums) are the same objects.
 */
class KernelIndependenceTest {
    private static final KernelConfig CONFIG = KernelConfig.memory("32M");
    private static final int BYTES = 64 * 1024;

    /** Spawns a task in /job and writes {@link #BYTES} into a pipe as it; returns what that charged /job. */
    private static long chargeAPipe(Kernel k) {
        k.cgroupfs().mkdir("/job");
        Task t = k.spawn("/job");
        k.drainAllStock();      // memory.current then counts the pages charged, no pre-charged stock
        long before = k.cgroupfs().readLong("/job/memory.current");
        int[] p = t.pipe();
        assertThat(t.write(p[1], new byte[BYTES])).isEqualTo(BYTES);
        k.drainAllStock();
        return k.cgroupfs().readLong("/job/memory.current") - before;
    }

    @Test
    void twoMachinesOfOneConfigHaveTheirOwnServicesAndCharges() {
        try (Kernel a = Kernel.boot(Era.LATEST, CONFIG); Kernel b = Kernel.boot(Era.LATEST, CONFIG)) {
            assertThat(a.get(PageAllocator.class)).isNotSameAs(b.get(PageAllocator.class));
            assertThat(a.get(CgroupFs.class)).isNotSameAs(b.get(CgroupFs.class));
            assertThat(a.get(PageTypeEncoding.class)).isSameAs(b.get(PageTypeEncoding.class));
            long freeInB = b.get(PageAllocator.class).nrFreePages();

            long charged = chargeAPipe(a);

            assertThat(charged).as("a's pipe pages, charged to a's /job").isGreaterThanOrEqualTo(BYTES);
            assertThat(b.get(PageAllocator.class).nrFreePages()).as("b's free pages").isEqualTo(freeInB);
            assertThat(b.get(CgroupTree.class).lookup("/job")).as("a's cgroup in b").isNull();
            assertThat(b.tasks()).as("a's task in b").isEmpty();
        }
    }

    @Test
    void machinesBootedAtOnceFromTwoThreadsAreIndependent() throws Exception {
        int threads = 2;
        int rounds = 5;
        CyclicBarrier together = new CyclicBarrier(threads);
        Callable<List<Long>> bootChargeClose = () -> {
            List<Long> charges = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                together.await(10, TimeUnit.SECONDS);
                try (Kernel k = Kernel.boot(Era.LATEST, CONFIG)) {
                    charges.add(chargeAPipe(k));
                    assertThat(k.tasks()).hasSize(1);
                }
            }
            return charges;
        };
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> runs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                runs.add(pool.submit(bootChargeClose));
            }
            List<Long> first = runs.get(0).get(60, TimeUnit.SECONDS);
            // Every close ran its checks; each machine was charged for its own pipe only.
            assertThat(first).hasSize(rounds).allSatisfy(c -> assertThat(c).isEqualTo(first.get(0)));
            assertThat(runs.get(1).get(60, TimeUnit.SECONDS)).isEqualTo(first);
        } finally {
            pool.shutdownNow();
        }
    }
}
