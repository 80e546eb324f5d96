package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.GFP_NOWAIT;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.memcg.stat.MemcgStatItem.NR_SLAB_RECLAIMABLE_B;
import static org.mmemu.memcg.stat.MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B;

import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.ChargeStock;
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

    private void boot(KernelRelease release) {
        j = new JobMachine(release);
    }

    private ObjCgroupVector vectorOf(long x) {
        long data = j.m.memMap().virtToPage(x).memcgData();
        assertThat(data & MemcgData.MEMCG_DATA_OBJCGS).as("memcg_data holds a vector").isOne();
        return j.m.get(KernelObjects.class).resolve(data & ~MemcgData.MEMCG_DATA_FLAGS_MASK, ObjCgroupVector.class);
    }

    /** The slab bytes counted for {@code memcg}, with what the latest era's obj stocks still cache. */
    private long slab(MemCgroup memcg) {
        ChargeStock stock = j.m.get(ChargeStock.class);
        long n = 0;
        for (MemcgStatItem item : new MemcgStatItem[] {NR_SLAB_UNRECLAIMABLE_B, NR_SLAB_RECLAIMABLE_B}) {
            n += memcg.stats().local(item) + stock.stockedSlabStatOf(memcg, item);
        }
        return n;
    }

    @ObjcgEras
    void anAccountedKmallocIsChargedItsFullSizeToTheObjcgInItsSlot(KernelRelease release) {
        boot(release);
        long plain = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_KERNEL));
        Page page = j.m.memMap().virtToPage(plain);
        assertThat(page.memcgData()).as("no accounted object yet, no vector").isZero();
        assertThat(slab(j.job)).isZero();

        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT));
        boolean cgCaches = release == KernelRelease.LATEST;
        Page xPage = j.m.memMap().virtToPage(x);
        assertThat(xPage == page).as("one slab page for both until 5.14's kmalloc-cg caches").isEqualTo(!cgCaches);
        ObjCgroupVector vector = vectorOf(x);
        KmemCache s = j.kmalloc.kmallocSlab(64, GFP_KERNEL_ACCOUNT);
        assertThat(vector.objects()).isEqualTo(s.objects());
        assertThat(vector.get(s.objToIndex(xPage, x))).isSameAs(j.job.objcg());
        if (cgCaches) {
            assertThat(page.memcgData()).as("kmalloc-64 holds no accounted object: no vector").isZero();
        } else {
            assertThat(vector.get(s.objToIndex(page, plain))).as("the unaccounted object").isNull();
        }
        assertThat(slab(j.job)).as("obj_full_size: 64 + a vector slot").isEqualTo(72);
        assertThat(j.job.memory().read()).as("at least the page the bytes came from").isPositive();
        assertThat(j.m.problems()).as("the charge check sees the live object's bytes").isEmpty();

        j.run(j.writer, () -> j.kmalloc.kfree(x));
        assertThat(vector.get(s.objToIndex(xPage, x))).isNull();
        assertThat(slab(j.job)).isZero();
        j.kfreeAndVerify(plain);
    }

    @ObjcgEras
    void everyObjectOfAnAccountedCacheIsChargedAndTheVectorComesFromKmalloc(KernelRelease release) {
        boot(release);
        KmemCache s = j.caches.kmemCacheCreate("acct", 200, 0, SlabFlags.SLAB_ACCOUNT);
        long x = j.as(j.writer, () -> j.slub.kmemCacheAlloc(s, GFP_KERNEL));
        ObjCgroupVector vector = vectorOf(x);
        assertThat(slab(j.job)).isEqualTo(s.objFullSize()).as("s->size 200 + a slot").isEqualTo(208);

        long backing = vector.backing();
        assertThat(j.caches.isSlab(j.m.memMap().virtToPage(backing))).as("kcalloc: a kmalloc object").isTrue();
        assertThat(j.kmalloc.ksize(backing)).isEqualTo(j.kmalloc.kmallocSlab(vector.bytes()).size());

        j.run(j.writer, () -> j.slub.kmemCacheFree(s, x));
        j.caches.kmemCacheDestroy(s);
        assertThat(j.m.get(KernelObjects.class).isLive(vector.address())).as("freed with its slab page").isFalse();
        assertThat(slab(j.job)).isZero();
        j.m.verify();
    }

    @ObjcgEras
    void anObjectFreedByAnotherCgroupsTaskUnchargesItsOwner(KernelRelease release) {
        boot(release);
        MemCgroup other = j.cgroups.mkdir("/other");
        TaskStruct reader = SlabEraMachine.writerIn(j.m, other);
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(100, GFP_KERNEL_ACCOUNT));
        assertThat(slab(j.job)).isEqualTo(128 + 8);

        j.run(reader, () -> j.kmalloc.kfree(x));
        assertThat(slab(j.job)).isZero();
        assertThat(slab(other)).isZero();
        j.m.verify();
    }

    @ObjcgEras
    void anObjectOutlivingRmdirIsUnchargedFromTheParent(KernelRelease release) {
        boot(release);
        MemCgroup b = j.cgroups.mkdir("/job/b");
        j.cgroups.attach(j.writer, b);
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(512, GFP_KERNEL_ACCOUNT));
        j.cgroups.attach(j.writer, j.job);
        j.cgroups.rmdir(b);

        ObjCgroupVector vector = vectorOf(x);
        KmemCache s = j.kmalloc.kmallocSlab(512);
        assertThat(vector.get(s.objToIndex(j.m.memMap().virtToPage(x), x)).memcg()).as("reparented").isSameAs(j.job);
        assertThat(j.m.problems()).isEmpty();

        j.run(j.writer, () -> j.kmalloc.kfree(x));
        assertThat(j.m.get(CgroupFs.class).read("/job/memory.stat")).contains("\nslab 0\n");
        j.m.verify();
    }

    @ObjcgEras
    void memoryStatShowsTheSlabBytesSplitByReclaimability(KernelRelease release) {
        boot(release);
        KmemCache dentries = j.caches.kmemCacheCreate("dentry", 192, 0,
                SlabFlags.SLAB_ACCOUNT | SlabFlags.SLAB_RECLAIM_ACCOUNT);
        long d1 = j.as(j.writer, () -> j.slub.kmemCacheAlloc(dentries, GFP_KERNEL));
        long d2 = j.as(j.writer, () -> j.slub.kmemCacheAlloc(dentries, GFP_KERNEL));
        long k = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT));

        j.drainAllStock();
        String stat = j.m.get(CgroupFs.class).read("/job/memory.stat");
        assertThat(stat).contains("\nslab_reclaimable 400\n").contains("\nslab_unreclaimable 72\n")
                .contains("\nslab 472\n");
        j.run(j.writer, () -> {
            j.slub.kmemCacheFree(dentries, d1);
            j.slub.kmemCacheFree(dentries, d2);
            j.kmalloc.kfree(k);
        });
        j.drainAllStock();
        assertThat(j.m.get(CgroupFs.class).read("/job/memory.stat")).contains("\nslab 0\n");
        j.caches.kmemCacheDestroy(dentries);
        j.m.verify();
    }

    @ObjcgEras
    void aFailedChargeAllocatesUnaccountedIn59AndFailsFrom510(KernelRelease release) {
        boot(release);
        j.m.get(CgroupFs.class).write("/job/memory.max", "0");
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_NOWAIT | __GFP_ACCOUNT));

        if (release == KernelRelease.V5_9) {
            assertThat(x).as("5.9: the object, uncharged").isNotZero();
            assertThat(slab(j.job)).isZero();
            j.run(j.writer, () -> j.kmalloc.kfree(x));
        } else {
            assertThat(x).as("-ENOMEM").isZero();
        }
        assertThat(j.job.memory().read()).isZero();
        j.m.verify();
    }
}
