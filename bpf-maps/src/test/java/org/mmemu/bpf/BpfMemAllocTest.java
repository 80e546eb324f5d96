package org.mmemu.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.slab.SlabModule;

/** {@link BpfMemAlloc}'s per-CPU caches: prefill, refill below the low watermark, trim above the high. */
class BpfMemAllocTest {
    private static TestMachine boot() {
        return TestMachine.boot(MemoryConfig.of("64M"), new MemcgModule(), new SlabModule(), new BpfModule());
    }

    private static BpfMemAlloc init(TestMachine m, TaskStruct t, int size) {
        try (var running = m.tasks().enter(t)) {
            return new BpfMemAlloc(size, m.get(BpfMapMemory.class), m.get(Rcu.class), m.get(Cpus.class));
        }
    }

    @Test
    void theWatermarksAndBatchAreInitRefillWorksForSmallAndLargeUnits() {
        BpfMemCache small = new BpfMemCache(136);
        BpfMemCache large = new BpfMemCache(1008);

        assertThat(new int[] {small.lowWatermark, small.highWatermark, small.batch}).containsExactly(32, 96, 48);
        assertThat(new int[] {large.lowWatermark, large.highWatermark, large.batch}).containsExactly(8, 24, 12);
    }

    @Test
    void everyCpuIsPrefilledAndTheFirstAllocationRefillsABatch() {
        TestMachine m = boot();
        TaskStruct t = m.tasks().create("t", new MmStruct());
        BpfMemAlloc ma = init(m, t, 128);
        int cpus = m.get(Cpus.class).nrCpus();
        for (int cpu = 0; cpu < cpus; cpu++) {
            assertThat(ma.cache(cpu).freeCnt()).as("cpu %d", cpu).isEqualTo(BpfMemAlloc.PREFILL_SMALL);
        }
        int me = m.get(Cpus.class).current().id();
        BpfMemCache c = ma.cache(me);

        long obj = ma.alloc();

        assertThat(obj).isNotZero();
        assertThat(c.freeCnt()).isEqualTo(BpfMemAlloc.PREFILL_SMALL - 1 + c.batch);
        ma.free(obj);
        ma.destroy();
        m.get(Exit.class).doExit(t);
        m.verify();
    }

    @Test
    void freesAboveTheHighWatermarkAreTrimmedAndKfreedAfterAGracePeriod() {
        TestMachine m = boot();
        TaskStruct t = m.tasks().create("t", new MmStruct());
        BpfMemAlloc ma = init(m, t, 128);
        BpfMemCache c = ma.cache(m.get(Cpus.class).current().id());
        long[] objs = new long[2 * c.highWatermark];
        for (int i = 0; i < objs.length; i++) {
            objs[i] = ma.alloc();
        }
        int maxFree = 0;

        for (long obj : objs) {
            ma.free(obj);
            maxFree = Math.max(maxFree, c.freeCnt());
        }

        assertThat(maxFree).as("trimmed as soon as it passes the high watermark").isEqualTo(c.highWatermark);
        int waiting = c.nrWaitingToFree();
        assertThat(waiting).isPositive();
        m.get(Rcu.class).synchronizeRcu();
        // One grace period in flight per cache: trims made meanwhile wait for the next one.
        assertThat(c.nrWaitingToFree()).as("the first trim kfree'd after its grace period").isLessThan(waiting);
        ma.destroy();
        m.get(Exit.class).doExit(t);
        m.verify();
    }

    @Test
    void theCachedObjectsAreEveryCpusFreeAndWaitingOnesUntilTheDestroy() {
        TestMachine m = boot();
        TaskStruct t = m.tasks().create("t", new MmStruct());
        BpfMemAlloc ma = init(m, t, 128);
        int cpus = m.get(Cpus.class).nrCpus();
        BpfMemCache c = ma.cache(m.get(Cpus.class).current().id());
        assertThat(ma.cachedObjects()).as("the prefill").isEqualTo(cpus * BpfMemAlloc.PREFILL_SMALL);
        long[] objs = new long[2 * c.highWatermark];
        for (int i = 0; i < objs.length; i++) {
            objs[i] = ma.alloc();
        }
        int cachedWhileInUse = ma.cachedObjects();
        for (long obj : objs) {
            ma.free(obj);
        }

        assertThat(c.nrWaitingToFree()).isPositive();
        assertThat(ma.cachedObjects()).as("the objects given back, those waiting for a grace period included")
                .isEqualTo(cachedWhileInUse + objs.length);
        ma.destroy();
        assertThat(ma.cachedObjects()).as("destroyed").isZero();
        m.get(Exit.class).doExit(t);
        m.get(Rcu.class).rcuBarrier();
        m.verify();
    }
}
