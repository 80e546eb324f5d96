package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.GFP_NOWAIT;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.ObjCgroupVector;
import org.mmemu.memcg.fs.CgroupFs;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * Slab objects charged to obj_cgroups, 5.9 and later: byte-precise charges of accounted caches
 * and {@code __GFP_ACCOUNT} kmallocs, the lazily attached vector and its kmalloc'ed memory, frees
 * from another cgroup, reparenting at rmdir, and memory.stat's slab keys.
 */
class ObjcgAccountingTest {
    private JobMachine j;
    private TestMachine m;
    private Kmalloc kmalloc;
    private Slub slub;
    private SlabCaches caches;
    private MemCgroup job;
    private TaskStruct writer;

    private void boot(KernelRelease release) {
        j = new JobMachine(release);
        m = j.m;
        kmalloc = j.kmalloc;
        slub = j.slub;
        caches = j.caches;
        job = j.job;
        writer = j.writer;
    }

    private ObjCgroupVector vectorOf(long x) {
        long data = m.memMap().virtToPage(x).memcgData();
        assertThat(data & MemcgData.MEMCG_DATA_OBJCGS).as("memcg_data holds a vector").isOne();
        return m.get(KernelObjects.class).resolve(data & ~MemcgData.MEMCG_DATA_FLAGS_MASK, ObjCgroupVector.class);
    }

    private static long slab(MemCgroup memcg) {
        return memcg.stats().local(MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B)
                + memcg.stats().local(MemcgStatItem.NR_SLAB_RECLAIMABLE_B);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void anAccountedKmallocIsChargedItsFullSizeToTheObjcgInItsSlot(KernelRelease release) {
        boot(release);
        long plain = j.as(writer, () -> kmalloc.kmalloc(64, GFP_KERNEL));
        Page page = m.memMap().virtToPage(plain);
        assertThat(page.memcgData()).as("no accounted object yet, no vector").isZero();
        assertThat(slab(job)).isZero();

        long x = j.as(writer, () -> kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT));
        assertThat(m.memMap().virtToPage(x)).as("same slab page").isSameAs(page);
        ObjCgroupVector vector = vectorOf(x);
        KmemCache s = kmalloc.kmallocSlab(64);
        assertThat(vector.objects()).isEqualTo(s.objects());
        assertThat(vector.get(s.objToIndex(page, x))).isSameAs(job.objcg());
        assertThat(vector.get(s.objToIndex(page, plain))).as("the unaccounted object").isNull();
        assertThat(slab(job)).as("obj_full_size: 64 + a vector slot").isEqualTo(72);
        assertThat(job.memory().read()).as("at least the page the bytes came from").isPositive();
        assertThat(m.problems()).as("the charge check sees the live object's bytes").isEmpty();

        j.run(writer, () -> kmalloc.kfree(x));
        assertThat(vector.get(s.objToIndex(page, x))).isNull();
        assertThat(slab(job)).isZero();
        j.run(writer, () -> kmalloc.kfree(plain));
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void everyObjectOfAnAccountedCacheIsChargedAndTheVectorComesFromKmalloc(KernelRelease release) {
        boot(release);
        KmemCache s = caches.kmemCacheCreate("acct", 200, 0, SlabFlags.SLAB_ACCOUNT);
        long x = j.as(writer, () -> slub.kmemCacheAlloc(s, GFP_KERNEL));
        ObjCgroupVector vector = vectorOf(x);
        assertThat(slab(job)).isEqualTo(s.objFullSize()).as("s->size 200 + a slot").isEqualTo(208);

        long backing = vector.backing();
        assertThat(caches.isSlab(m.memMap().virtToPage(backing))).as("kcalloc: a kmalloc object").isTrue();
        assertThat(kmalloc.ksize(backing)).isEqualTo(kmalloc.kmallocSlab(vector.bytes()).size());

        j.run(writer, () -> slub.kmemCacheFree(s, x));
        caches.kmemCacheDestroy(s);
        assertThat(m.get(KernelObjects.class).isLive(vector.address())).as("freed with its slab page").isFalse();
        assertThat(slab(job)).isZero();
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void anObjectFreedByAnotherCgroupsTaskUnchargesItsOwner(KernelRelease release) {
        boot(release);
        MemCgroup other = j.cgroups.mkdir("/other");
        TaskStruct reader = SlabEraMachine.writerIn(m, other);
        long x = j.as(writer, () -> kmalloc.kmalloc(100, GFP_KERNEL_ACCOUNT));
        assertThat(slab(job)).isEqualTo(128 + 8);

        j.run(reader, () -> kmalloc.kfree(x));
        assertThat(slab(job)).isZero();
        assertThat(slab(other)).isZero();
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void anObjectOutlivingRmdirIsUnchargedFromTheParent(KernelRelease release) {
        boot(release);
        MemCgroup b = j.cgroups.mkdir("/job/b");
        j.cgroups.attach(writer, b);
        long x = j.as(writer, () -> kmalloc.kmalloc(512, GFP_KERNEL_ACCOUNT));
        j.cgroups.attach(writer, job);
        j.cgroups.rmdir(b);

        ObjCgroupVector vector = vectorOf(x);
        KmemCache s = kmalloc.kmallocSlab(512);
        assertThat(vector.get(s.objToIndex(m.memMap().virtToPage(x), x)).memcg()).as("reparented").isSameAs(job);
        assertThat(m.problems()).isEmpty();

        j.run(writer, () -> kmalloc.kfree(x));
        assertThat(m.get(CgroupFs.class).read("/job/memory.stat")).contains("\nslab 0\n");
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void memoryStatShowsTheSlabBytesSplitByReclaimability(KernelRelease release) {
        boot(release);
        KmemCache dentries = caches.kmemCacheCreate("dentry", 192, 0,
                SlabFlags.SLAB_ACCOUNT | SlabFlags.SLAB_RECLAIM_ACCOUNT);
        long d1 = j.as(writer, () -> slub.kmemCacheAlloc(dentries, GFP_KERNEL));
        long d2 = j.as(writer, () -> slub.kmemCacheAlloc(dentries, GFP_KERNEL));
        long k = j.as(writer, () -> kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT));

        String stat = m.get(CgroupFs.class).read("/job/memory.stat");
        assertThat(stat).contains("\nslab_reclaimable 400\n").contains("\nslab_unreclaimable 72\n")
                .contains("\nslab 472\n");
        j.run(writer, () -> {
            slub.kmemCacheFree(dentries, d1);
            slub.kmemCacheFree(dentries, d2);
            kmalloc.kfree(k);
        });
        assertThat(m.get(CgroupFs.class).read("/job/memory.stat")).contains("\nslab 0\n");
        caches.kmemCacheDestroy(dentries);
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void aFailedChargeAllocatesUnaccountedIn59AndFailsFrom510(KernelRelease release) {
        boot(release);
        m.get(CgroupFs.class).write("/job/memory.max", "0");
        long x = j.as(writer, () -> kmalloc.kmalloc(64, GFP_NOWAIT | __GFP_ACCOUNT));

        if (release == KernelRelease.V5_9) {
            assertThat(x).as("5.9: the object, uncharged").isNotZero();
            assertThat(slab(job)).isZero();
            j.run(writer, () -> kmalloc.kfree(x));
        } else {
            assertThat(x).as("-ENOMEM").isZero();
        }
        assertThat(job.memory().read()).isZero();
        m.verify();
    }
}
