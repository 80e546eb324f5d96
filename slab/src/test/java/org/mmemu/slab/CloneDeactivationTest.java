package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * A removed cgroup's cache clone gives its empty slabs back at once in 4.7 and 4.8
 * ({@code __kmem_cache_shrink(c, true)}, 4.8 after waiting out a grace period), after an RCU grace
 * period and then a work item in 4.18 ({@code slab_deactivate_memcg_cache_rcu_sched}); until then
 * the slabs stay charged, to the parent's memory.current too, and the cgroup stays dying.
 */
class CloneDeactivationTest {
    private JobMachine j;
    private MemCgroup child;
    /** A task in {@code /p/child}. */
    private TaskStruct w;
    private KmemCache root;
    private KmemCache clone;

    /**
     * A machine with {@code /p/child} (memory enabled in {@code /p}), a task {@link #w} in it and
     * its clone of a {@code SLAB_ACCOUNT} cache of {@code size}-byte objects, made by the work its
     * first allocation queued.
     */
    private void cloneInAChild(KernelRelease release, int size) {
        j = new JobMachine(release);
        CgroupFs fs = j.m.get(CgroupFs.class);
        fs.mkdir("/p");
        fs.write("/p/cgroup.subtree_control", "+memory");
        child = fs.mkdir("/p/child");
        w = SlabEraMachine.writerIn(j.m, child);
        root = j.caches.kmemCacheCreate("acct", size, 0, SlabFlags.SLAB_ACCOUNT);
        j.run(w, () -> j.slub.kmemCacheFree(root, j.slub.kmemCacheAlloc(root, GFP_KERNEL)));
        j.m.cpus().flushWork();
        clone = root.cacheFromMemcgIdx(child.kmemcgId());
        assertThat(clone.memcg()).isSameAs(child);
    }

    /** {@link #cloneInAChild}, whose objects were all freed (its CPU slab, empty, stays charged), then rmdir. */
    private void removeAChildWithAnEmptyClone(KernelRelease release) {
        cloneInAChild(release, 256);
        j.run(w, () -> j.slub.kmemCacheFree(root, j.slub.kmemCacheAlloc(root, GFP_KERNEL)));
        assertThat(charged(child)).as("the empty CPU slab stays charged").isEqualTo(1L << clone.order());
        leave();
    }

    /** {@link #w} leaves for the root cgroup, then {@code /p/child} is removed. */
    private void leave() {
        j.cgroups.attach(w, j.cgroups.root());
        j.cgroups.rmdir(child);
    }

    private long charged(MemCgroup memcg) {
        return memcg.memory().read() - j.m.get(MemcgCharger.class).stock().stockedPagesOf(memcg);
    }

    /** The parent's memory.current in pages, the stock aside: the child's charges count in it. */
    private long parentCurrent() {
        MemCgroup parent = child.parent();
        long bytes = j.m.get(CgroupFs.class).readLong("/p/memory.current");
        return bytes / MemMap.PAGE_SIZE - j.m.get(MemcgCharger.class).stock().stockedPagesOf(parent);
    }

    @CloneEras
    void theEmptiedSlabsGoAtRmdirUntil410AfterAGracePeriodAndAWorkItemFrom411(KernelRelease release) {
        removeAChildWithAnEmptyClone(release);
        assertThat(clone.minPartial()).as("no empty slab kept from now on, in every era").isZero();
        if (release == KernelRelease.V4_18) {
            long slab = 1L << clone.order();
            assertThat(child.state()).as("pinned by its slab and the pending deactivation").isEqualTo(MemCgroup.State.DYING);
            assertThat(parentCurrent()).as("the dying child's slab counts in the parent").isEqualTo(slab);
            assertThat(child.parent().nrDyingDescendants()).isOne();

            j.m.get(Rcu.class).synchronizeRcu();
            assertThat(j.m.cpus().current().hasPendingWork()).as("the grace period queued the work").isTrue();
            assertThat(child.state()).isEqualTo(MemCgroup.State.DYING);
            assertThat(parentCurrent()).as("still charged until the work shrinks the clone").isEqualTo(slab);

            j.m.cpus().flushWork();
        }
        assertThat(child.state()).as("the clone's last slab freed released it").isEqualTo(MemCgroup.State.RELEASED);
        assertThat(parentCurrent()).isZero();
        assertThat(child.parent().nrDyingDescendants()).isZero();
        assertThat(j.caches.caches()).as("memcg_destroy_kmem_caches at css_free").doesNotContain(clone);
        j.caches.kmemCacheDestroy(root);
        j.m.verify();
    }

    @CloneEras
    void onlyFourEightsOfflineWaitsOutAGracePeriod(KernelRelease release) {
        cloneInAChild(release, 256);
        Rcu rcu = j.m.get(Rcu.class);
        boolean[] ran = new boolean[1];
        rcu.callRcu(() -> ran[0] = true);
        leave();
        assertThat(ran[0]).as("synchronize_sched in 4.8's __kmem_cache_shrink; an IPI in 4.6; deferred in 4.18")
                .isEqualTo(release == KernelRelease.V4_8);
        rcu.rcuBarrier();
        j.m.cpus().flushWork();
        assertThat(ran[0]).isTrue();
        assertThat(child.state()).isEqualTo(MemCgroup.State.RELEASED);
        j.caches.kmemCacheDestroy(root);
        j.m.verify();
    }

    @CloneEras
    void destroyingTheRootWaitsOutAPendingDeactivation(KernelRelease release) {
        removeAChildWithAnEmptyClone(release);
        j.caches.kmemCacheDestroy(root);
        assertThat(j.m.log().dmesg()).doesNotContain("still has objects");
        assertThat(j.caches.caches()).doesNotContain(root, clone);
        assertThat(child.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(j.m.get(Rcu.class).pendingCallbacks()).isZero();
        assertThat(j.m.cpus().current().hasPendingWork()).isFalse();
        assertThat(parentCurrent()).isZero();
        j.m.verify();
    }

    @CloneEras
    void aSlabEmptiedAfterRmdirIsFreedAtOnceInEveryEra(KernelRelease release) {
        cloneInAChild(release, 2048);
        // Fill the clone's first slab, so that the next allocation makes it leave the CPU.
        long[] full = new long[clone.objects()];
        for (int i = 0; i < full.length; i++) {
            full[i] = j.as(w, () -> j.slub.kmemCacheAlloc(root, GFP_KERNEL));
        }
        long next = j.as(w, () -> j.slub.kmemCacheAlloc(root, GFP_KERNEL));
        assertThat(j.slub.virtToHeadPage(next)).as("a second slab on the CPU").isNotSameAs(j.slub.virtToHeadPage(full[0]));
        leave();
        long before = charged(child);

        j.run(w, () -> {
            for (long x : full) {
                j.slub.kmemCacheFree(root, x);
            }
        });
        assertThat(charged(child)).as("min_partial 0: the full slab, emptied, went at once")
                .isEqualTo(before - (1L << clone.order()));
        j.run(w, () -> j.slub.kmemCacheFree(root, next));
        j.m.get(Rcu.class).rcuBarrier();
        j.m.cpus().flushWork();
        assertThat(child.state()).isEqualTo(MemCgroup.State.RELEASED);
        j.caches.kmemCacheDestroy(root);
        j.m.verify();
    }

    /**
     * A CPU frees an object to its own slab of the clone (the lockless fast path) while the
     * removal, on another CPU, flushes the CPU slabs. The flush runs on the CPU whose slab it is
     * ({@code flush_all}'s IPI), so the free is not lost: the slab, emptied, goes at that CPU's
     * next schedule point and the cgroup is released. The removal's CPU is held at the clone's
     * {@code list_lock} while the free happens, after the flush has been started.
     */
    @CloneEras
    void aFreeToACpuSlabWhileTheRemovalFlushesItIsNotLost(KernelRelease release) throws InterruptedException {
        cloneInAChild(release, 256);
        Cpus cpus = j.m.cpus();
        Rcu rcu = j.m.get(Rcu.class);
        CpuThread cpu1 = CpuThread.start(cpus, 1);
        CpuThread cpu2 = CpuThread.start(cpus, 2);
        long[] x = new long[1];
        cpu1.runAndWait(() -> x[0] = j.as(w, () -> j.slub.kmemCacheAlloc(root, GFP_KERNEL)));
        assertThat(j.slub.cacheOf(j.slub.virtToHeadPage(x[0]))).as("cpu1's slab is the clone's").isSameAs(clone);
        j.cgroups.attach(w, j.cgroups.root());
        synchronized (clone.node) {
            // The removal, and in 4.18 the grace period and the work item that shrink the clone.
            cpu2.submit(() -> {
                j.cgroups.rmdir(child);
                rcu.rcuBarrier();
                cpus.condResched();
            });
            awaitBlocked(cpu2);
            cpu1.runAndWait(() -> j.slub.kmemCacheFree(root, x[0]));
        }
        cpu2.runAndWait(() -> { });
        cpu1.runAndWait(cpus::condResched);
        cpu1.finish();
        cpu2.finish();
        // The kill's fold of the css count on this CPU, which the removal left to it.
        cpus.flushWork();
        assertThat(child.state()).as("the emptied slab went, and its cgroup with it").isEqualTo(MemCgroup.State.RELEASED);
        assertThat(parentCurrent()).isZero();
        j.caches.kmemCacheDestroy(root);
        j.m.verify();
    }

    /** Waits until {@code t} waits for a monitor. */
    private static void awaitBlocked(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.BLOCKED) {
            assertThat(t.isAlive()).as(t.getName() + " ended instead of blocking").isTrue();
            Thread.sleep(1);
        }
    }
}
