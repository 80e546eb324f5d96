package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import com.google.inject.Injector;
import com.google.inject.OutOfScopeException;
import com.google.inject.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * Machines booted with the same era and config share no state: each has its own services and
 * its charges stay its own, booted one after the other (on the injector the last one left) or at
 * once from two threads (on injectors of their own). Only the stateless policies (the era's
 * enums) are the same objects.
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

    /** What a machine looks like: compared between a fresh machine and one on a recycled injector. */
    private record State(int initPid, long freePages, long rootPages, String vmstat, List<String> log,
                         List<MemCgroup> cgroups, int firstCgroupId, long firstCgroupSerial) {
        static State of(Kernel k) {
            CgroupTree tree = k.get(CgroupTree.class);
            List<MemCgroup> cgroups = new ArrayList<>();
            tree.forEachDescendantWithDying(tree.root(), cgroups::add);
            cgroups.remove(tree.root());
            State s = new State(k.init().pid(), k.get(PageAllocator.class).nrFreePages(), tree.root().memory().read(),
                    k.get(VmStat.class).format(), k.get(KernelLog.class).lines(), cgroups, 0, 0);
            MemCgroup probe = k.cgroupfs().mkdir("/probe");     // the ids and serials a new cgroup gets
            int id = probe.id();
            long serial = probe.serialNr();
            k.cgroupfs().rmdir("/probe");
            return new State(s.initPid, s.freePages, s.rootPages, s.vmstat, s.log, s.cgroups, id, serial);
        }
    }

    @Test
    void aMachineOnTheInjectorOfAClosedOneStartsFresh() {
        KernelConfig config = KernelConfig.memory("24M");
        // 5.10: a kmem page points at its memcg, so the leaked page keeps /job dying.
        Kernel a = Kernel.boot(Era.V5_10, config);
        Injector injector = a.injector();
        State fresh = State.of(a);
        // Work that leaves state behind: a charged pipe, a page charged to /job leaked, /job removed.
        chargeAPipe(a);
        Task t = a.spawn("/job");
        try (var running = a.enter(t)) {
            a.get(PageAllocator.class).allocPage(GFP_KERNEL_ACCOUNT);
        }
        a.tasks().forEach(Task::exit);
        a.cgroupfs().rmdir("/job");
        CgroupTree aTree = a.get(CgroupTree.class);
        State worked = State.of(a);
        assertThat(worked.cgroups()).as("/job, dying").hasSize(1);
        assertThat(worked.freePages()).as("a's free pages after its work").isLessThan(fresh.freePages());
        assertThat(worked.firstCgroupSerial()).as("serials taken").isGreaterThan(fresh.firstCgroupSerial());
        assertThatThrownBy(a::close).as("the leaked page").isInstanceOf(ConsistencyFailure.class);

        try (Kernel b = Kernel.boot(Era.V5_10, config)) {
            assertThat(b.injector()).as("a's injector, recycled").isSameAs(injector);
            assertThat(b.get(CgroupTree.class)).isNotSameAs(aTree);
            assertThat(State.of(b)).as("b as a was at boot").isEqualTo(fresh);
        }
    }

    @Test
    void aProviderOfAClosedMachineFailsNamingIt() {
        Kernel k = Kernel.boot(Era.LATEST, KernelConfig.memory("20M"));
        Provider<PageAllocator> allocators = k.injector().getProvider(PageAllocator.class);
        k.close();

        assertThatThrownBy(allocators::get).hasCauseInstanceOf(OutOfScopeException.class)
                .hasMessageContaining("PageAllocator is MachineScoped, and its machine is closed");
    }

    @Test
    void twoMachinesOfOneConfigHaveTheirOwnServicesAndCharges() {
        try (Kernel a = Kernel.boot(Era.LATEST, CONFIG); Kernel b = Kernel.boot(Era.LATEST, CONFIG)) {
            assertThat(a.injector()).as("machines at once, on injectors of their own").isNotSameAs(b.injector());
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
        Set<Injector> injectors = ConcurrentHashMap.newKeySet();
        List<Set<Injector>> perRound = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            perRound.add(ConcurrentHashMap.newKeySet());
        }
        Callable<List<Long>> bootChargeClose = () -> {
            List<Long> charges = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                together.await(10, TimeUnit.SECONDS);
                try (Kernel k = Kernel.boot(Era.LATEST, CONFIG)) {
                    perRound.get(r).add(k.injector());
                    injectors.add(k.injector());
                    together.await(10, TimeUnit.SECONDS);     // both machines are up
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
            assertThat(perRound).as("machines up at once have injectors of their own").allSatisfy(
                    round -> assertThat(round).hasSize(threads));
            assertThat(injectors).as("each round's machines on the last round's injectors").hasSize(threads);
        } finally {
            pool.shutdownNow();
        }
    }
}
