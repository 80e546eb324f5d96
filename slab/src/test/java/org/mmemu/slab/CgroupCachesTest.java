package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * The per-cgroup cache clones of 4.7 to 5.8: the first accounted allocation of a cgroup served
 * uncharged by the root cache while the clone's creation waits as work, the clone's slab pages
 * charged whole to its cgroup whoever frees in them, memory.stat, rmdir with live objects,
 * kmalloc's clones and the destroy of a root cache with clones.
 */
class CgroupCachesTest {
    private JobMachine j;

    private void boot(KernelRelease release) {
        j = new JobMachine(release);
    }

    private long charged(MemCgroup memcg) {
        return memcg.memory().read() - j.m.get(MemcgCharger.class).stock().stockedPagesOf(memcg);
    }

    private long slabUnreclaimable(String cgroup) {
        return j.m.get(CgroupFs.class).stat(cgroup, "slab_unreclaimable");
    }

    private KmemCache cacheOf(long x) {
        return j.caches.cacheOf(j.slub.virtToHeadPage(x));
    }

    /** As the writer: an allocation from {@code s} (served by the root), then the queued work runs. */
    private long firstAllocThenWork(KmemCache s, int gfp) {
        long x = j.as(j.writer, () -> j.slub.kmemCacheAlloc(s, gfp));
        assertThat(j.m.cpus().current().hasPendingWork()).as("the clone's creation is queued").isTrue();
        j.m.cpus().flushWork();
        return x;
    }

    /** A {@code SLAB_ACCOUNT} cache whose /job clone exists: the writer's first allocation queued it, the work ran. */
    private KmemCache cloned(int size) {
        KmemCache s = j.caches.kmemCacheCreate("acct", size, 0, SlabFlags.SLAB_ACCOUNT);
        j.run(j.writer, () -> j.slub.kmemCacheFree(s, firstAllocThenWork(s, GFP_KERNEL)));
        return s;
    }

    /** An object of {@code s} allocated by the writer. */
    private long alloc(KmemCache s) {
        return j.as(j.writer, () -> j.slub.kmemCacheAlloc(s, GFP_KERNEL));
    }

    /** The test's end: {@code s} (and its clones) destroyed, then every consistency check. */
    private void destroyAndVerify(KmemCache s) {
        j.caches.kmemCacheDestroy(s);
        j.m.verify();
    }

    @CloneEras
    void theFirstAllocationIsUnchargedFromTheRootThenTheClonesPagesAreChargedWhole(KernelRelease release) {
        boot(release);
        KmemCache s = j.caches.kmemCacheCreate("acct", 200, 0, SlabFlags.SLAB_ACCOUNT);
        long first = alloc(s);
        assertThat(cacheOf(first)).as("no clone yet: the root cache serves it").isSameAs(s);
        assertThat(charged(j.job)).as("uncharged, as the kernel did").isZero();
        assertThat(j.slub.virtToHeadPage(first).memcgData()).isZero();
        assertThat(j.caches.caches()).noneMatch(c -> !c.isRootCache());
        j.m.cpus().flushWork();

        KmemCache clone = s.cacheFromMemcgIdx(j.job.kmemcgId());
        assertThat(clone).isNotNull();
        assertThat(clone.name()).isEqualTo("acct(" + j.job.serialNr() + ":job)");
        assertThat(clone.memcg()).isSameAs(j.job);
        assertThat(clone.rootCache()).isSameAs(s);
        assertThat(clone.size()).isEqualTo(s.size());
        assertThat(j.caches.caches()).contains(clone);

        long second = alloc(s);
        Page page = j.slub.virtToHeadPage(second);
        assertThat(cacheOf(second)).isSameAs(clone);
        assertThat(page.memcgData()).as("page->mem_cgroup").isEqualTo(j.job.address());
        assertThat(charged(j.job)).as("the whole slab, not the object").isEqualTo(1L << clone.order());
        assertThat(slabUnreclaimable("/job")).isEqualTo((long) MemMap.PAGE_SIZE << clone.order());
        long third = alloc(s);
        assertThat(charged(j.job)).as("a second object of the slab costs nothing more").isEqualTo(1L << clone.order());
        assertThat(j.m.problems()).isEmpty();

        j.run(j.writer, () -> {
            j.slub.kmemCacheFree(s, first);
            j.slub.kmemCacheFree(s, second);
            j.slub.kmemCacheFree(s, third);
        });
        assertThat(cacheOf(second)).as("freed into the clone, whose empty slab it keeps").isSameAs(clone);
        assertThat(j.m.log().dmesg()).as("slab_equal_or_root: the root is the clone's cache too")
                .doesNotContain("Wrong slab cache");
        j.caches.kmemCacheDestroy(s);
        assertThat(j.caches.caches()).as("the clones go with their root").doesNotContain(clone, s);
        assertThat(charged(j.job)).isZero();
        assertThat(slabUnreclaimable("/job")).isZero();
        j.m.verify();
    }

    @CloneEras
    void theSlabCheckReportsAClonesPageNotChargedToItsCgroup(KernelRelease release) {
        boot(release);
        KmemCache s = cloned(64);
        long x = alloc(s);
        Page page = j.slub.virtToHeadPage(x);
        long memcgData = page.memcgData();
        page.setMemcgData(0);
        assertThat(j.m.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("slab: " + cacheOf(x).name() + ": a clone's slab page with memcg_data 0x0"));

        page.setMemcgData(memcgData);
        j.run(j.writer, () -> j.slub.kmemCacheFree(s, x));
        destroyAndVerify(s);
    }

    @CloneEras
    void anObjectFreedByAnotherCgroupsTaskUnchargesTheClonesCgroupOnlyWithItsPage(KernelRelease release) {
        boot(release);
        KmemCache s = cloned(512);
        long x = alloc(s);
        KmemCache clone = cacheOf(x);
        assertThat(clone.isRootCache()).isFalse();
        MemCgroup other = j.cgroups.mkdir("/other");
        TaskStruct stranger = SlabEraMachine.writerIn(j.m, other);

        j.run(stranger, () -> j.slub.kmemCacheFree(s, x));
        assertThat(charged(j.job)).as("the page, still the clone's, stays charged").isEqualTo(1L << clone.order());
        assertThat(charged(other)).isZero();
        assertThat(j.m.problems()).isEmpty();

        j.caches.kmemCacheDestroy(s);
        assertThat(charged(j.job)).as("uncharged with the page").isZero();
        assertThat(charged(other)).isZero();
        j.m.verify();
    }

    @CloneEras
    void aRemovedCgroupsCloneStaysWhileItHasObjectsThenGoesWithTheCgroup(KernelRelease release) {
        boot(release);
        KmemCache s = cloned(128);
        long x = alloc(s);
        KmemCache clone = cacheOf(x);
        int idx = j.job.kmemcgId();
        j.cgroups.attach(j.writer, j.cgroups.root());
        j.cgroups.rmdir(j.job);

        assertThat(j.job.state()).as("its slab page holds it").isEqualTo(MemCgroup.State.DYING);
        assertThat(j.caches.caches()).as("the dying clone stays").contains(clone);
        assertThat(s.cacheFromMemcgIdx(idx)).as("deactivated: out of the root's array").isNull();
        assertThat(clone.minPartial()).isZero();
        assertThat(j.job.kmemcgId()).as("the parent's (the root's) id").isEqualTo(-1);
        assertThat(charged(j.job)).isEqualTo(1L << clone.order());
        assertThat(j.m.problems()).as("4.18's deactivation waits for a grace period, nothing else is amiss")
                .hasSize(release == KernelRelease.V4_18 ? 1 : 0).allSatisfy(p -> assertThat(p).startsWith("rcu: 1 "));

        j.run(j.writer, () -> j.slub.kmemCacheFree(s, x));
        if (release == KernelRelease.V4_18) {
            assertThat(j.job.state()).as("the CPU slab waits for the deferred shrink").isEqualTo(MemCgroup.State.DYING);
            j.m.get(Rcu.class).rcuBarrier();
            j.m.cpus().flushWork();
        }
        assertThat(j.job.state()).as("the last page uncharged released it").isEqualTo(MemCgroup.State.RELEASED);
        assertThat(j.caches.caches()).as("memcg_destroy_kmem_caches").doesNotContain(clone);
        assertThat(s.children).isEmpty();
        destroyAndVerify(s);
    }

    @CloneEras
    void aCgroupRemovedBeforeTheWorkRunsGetsNoClone(KernelRelease release) {
        boot(release);
        KmemCache s = j.caches.kmemCacheCreate("acct", 64, 0, SlabFlags.SLAB_ACCOUNT);
        long x = alloc(s);
        j.cgroups.attach(j.writer, j.cgroups.root());
        j.cgroups.rmdir(j.job);
        assertThat(j.job.state()).as("the queued work holds it").isEqualTo(MemCgroup.State.DYING);

        j.m.cpus().flushWork();
        assertThat(j.caches.caches()).noneMatch(c -> !c.isRootCache());
        assertThat(j.job.state()).isEqualTo(MemCgroup.State.RELEASED);
        j.run(j.writer, () -> j.slub.kmemCacheFree(s, x));
        destroyAndVerify(s);
    }

    @CloneEras
    void anAccountedKmallocGoesThroughTheKmallocCachesClone(KernelRelease release) {
        boot(release);
        KmemCache kmalloc64 = j.kmalloc.kmallocSlab(64);
        long first = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT));
        assertThat(cacheOf(first)).isSameAs(kmalloc64);
        j.m.cpus().flushWork();
        long plain = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_KERNEL));
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT));

        assertThat(cacheOf(plain)).as("kmalloc-64 is no SLAB_ACCOUNT cache").isSameAs(kmalloc64);
        KmemCache clone = cacheOf(x);
        assertThat(clone.name()).isEqualTo(kmalloc64.name() + "(" + j.job.serialNr() + ":job)");
        assertThat(j.kmalloc.ksize(x)).isEqualTo(64);
        assertThat(charged(j.job)).isEqualTo(1L << clone.order());
        assertThat(slabUnreclaimable("/job")).isEqualTo((long) MemMap.PAGE_SIZE << clone.order());
        j.kfreeAndVerify(first, plain, x);
    }

    @CloneEras
    void anAllocationFromACloneItselfStaysInTheClone(KernelRelease release) {
        boot(release);
        KmemCache s = cloned(64);
        KmemCache clone = s.cacheFromMemcgIdx(j.job.kmemcgId());
        long x = j.as(j.writer, () -> j.slub.kmemCacheAlloc(clone, GFP_KERNEL));
        assertThat(cacheOf(x)).isSameAs(clone);
        assertThat(j.m.cpus().current().hasPendingWork()).as("no clone of a clone").isFalse();
        j.run(j.writer, () -> j.slub.kmemCacheFree(clone, x));
        destroyAndVerify(s);
    }

    @CloneEras
    void kernelThreadsAndTheRootCgroupAllocateFromTheRootCache(KernelRelease release) {
        boot(release);
        KmemCache s = j.caches.kmemCacheCreate("acct", 64, 0, SlabFlags.SLAB_ACCOUNT);
        long kthread = j.slub.kmemCacheAlloc(s, GFP_KERNEL);
        TaskStruct inRoot = j.m.tasks().create("init-child", new MmStruct());
        long root = j.as(inRoot, () -> j.slub.kmemCacheAlloc(s, GFP_KERNEL));
        j.m.cpus().flushWork();

        assertThat(cacheOf(kthread)).isSameAs(s);
        assertThat(cacheOf(root)).isSameAs(s);
        assertThat(j.caches.caches()).as("nothing was queued").noneMatch(c -> !c.isRootCache());
        j.slub.kmemCacheFree(s, kthread);
        j.slub.kmemCacheFree(s, root);
        destroyAndVerify(s);
    }

    @CloneEras
    void destroyingARootCacheWithObjectsInAClonesReportsThemAndKeepsBoth(KernelRelease release) {
        boot(release);
        KmemCache s = cloned(256);
        long x = alloc(s);
        long y = alloc(s);
        KmemCache clone = cacheOf(x);
        j.run(j.writer, () -> j.slub.kmemCacheFree(s, y));

        j.caches.kmemCacheDestroy(s);
        assertThat(j.m.log().dmesg()).contains(
                "Objects remaining in " + clone.name() + " on __kmem_cache_shutdown()",
                String.format("Object 0x%016x @offset=", x),
                "kmem_cache_destroy acct: Slab cache still has objects");
        assertThat(j.caches.caches()).contains(s, clone);
        assertThat(j.m.problems()).isEmpty();

        j.run(j.writer, () -> j.slub.kmemCacheFree(s, x));
        j.caches.kmemCacheDestroy(s);
        assertThat(j.caches.caches()).doesNotContain(s, clone);
        assertThat(charged(j.job)).isZero();
        j.m.verify();
    }

    @ObjcgEras
    void fromFiveNineNoCacheIsCloned(KernelRelease release) {
        boot(release);
        KmemCache s = j.caches.kmemCacheCreate("acct", 64, 0, SlabFlags.SLAB_ACCOUNT);
        long x = alloc(s);
        assertThat(j.m.cpus().current().hasPendingWork()).isFalse();
        j.m.cpus().flushWork();
        long y = alloc(s);
        assertThat(cacheOf(x)).isSameAs(s);
        assertThat(cacheOf(y)).isSameAs(s);
        assertThat(j.caches.caches()).noneMatch(c -> !c.isRootCache());
        j.run(j.writer, () -> {
            j.slub.kmemCacheFree(s, x);
            j.slub.kmemCacheFree(s, y);
        });
        destroyAndVerify(s);
    }
}
