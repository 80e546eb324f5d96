package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_DMA;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_DMA;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.Seeded;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.MemcgEras;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.memcg.ObjCgroupVector;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * Which kmalloc cache serves which gfp, by era: {@code dma-kmalloc-} for {@code __GFP_DMA}
 * always, {@code kmalloc-rcl-} for {@code __GFP_RECLAIMABLE} from 4.20 (our 5.9),
 * {@code kmalloc-cg-} for {@code __GFP_ACCOUNT} from 5.14 (our latest), in that precedence;
 * and what the cg caches change: accounted and unaccounted objects never share a slab page.
 */
class KmallocTypesTest {
    private JobMachine j;

    private static boolean rclCaches(KernelRelease r) {
        return r.compareTo(KernelRelease.V5_9) >= 0;
    }

    private static boolean cgCaches(KernelRelease r) {
        return r == KernelRelease.LATEST;
    }

    /** The name of the cache that served a 1024-byte kmalloc of {@code gfp} by the writer. */
    private String servedBy(int gfp) {
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(1024, gfp));
        KmemCache s = j.caches.cacheOf(j.slub.virtToHeadPage(x));
        assertThat(s).as("kmalloc_slab agrees").isSameAs(j.kmalloc.kmallocSlab(1024, gfp));
        j.run(j.writer, () -> j.kmalloc.kfree(x));
        return s.name();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void eachGfpIsServedByItsErasCacheDmaFirstThenReclaimableThenAccount(KernelRelease release) {
        j = new JobMachine(release);
        String k = j.kmalloc.kmallocSlab(1024).name().substring("kmalloc-".length());
        String normal = "kmalloc-" + k;
        String rcl = rclCaches(release) ? "kmalloc-rcl-" + k : normal;
        assertThat(servedBy(GFP_KERNEL)).isEqualTo(normal);
        assertThat(servedBy(GFP_KERNEL_ACCOUNT)).isEqualTo(cgCaches(release) ? "kmalloc-cg-" + k : normal);
        assertThat(servedBy(GFP_KERNEL | __GFP_RECLAIMABLE)).isEqualTo(rcl);
        assertThat(servedBy(GFP_KERNEL_ACCOUNT | __GFP_RECLAIMABLE)).as("reclaimable before account").isEqualTo(rcl);
        for (int gfp : new int[] {GFP_KERNEL | GFP_DMA, GFP_KERNEL_ACCOUNT | GFP_DMA,
            GFP_KERNEL | GFP_DMA | __GFP_RECLAIMABLE}) {
            assertThat(servedBy(gfp)).as("__GFP_DMA first, gfp %#x", gfp).isEqualTo("dma-kmalloc-" + k);
        }
        j.m.cpus().flushWork();
        j.m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void theDmaCachesAreSlabCacheDmaWithTheErasNamesAndGfpDmaPages(KernelRelease release) {
        j = new JobMachine(release);
        boolean bytes = release.compareTo(KernelRelease.V5_9) < 0;
        assertThat(j.kmalloc.kmallocCache(KmallocCacheType.DMA, 1024).name())
                .isEqualTo(bytes ? "dma-kmalloc-1024" : "dma-kmalloc-1k");
        assertThat(j.kmalloc.kmallocCache(KmallocCacheType.DMA, 96).name()).isEqualTo("dma-kmalloc-96");
        List<KmemCache> dma = j.caches.caches().stream().filter(c -> c.name().startsWith("dma-")).toList();
        assertThat(dma).hasSize(13).allSatisfy(c -> {
            assertThat(c.flags() & SlabFlags.SLAB_CACHE_DMA).isNotZero();
            assertThat(c.allocflags & __GFP_DMA).as("calculate_sizes: s->allocflags |= GFP_DMA").isNotZero();
            assertThat(c.accounted()).isFalse();
        });
        assertThat(j.kmalloc.kmallocSlab(1024).allocflags & __GFP_DMA).isZero();
        j.m.verify();
    }

    @ObjcgEras
    void anAccountedDmaKmallocIsChargedInTheDmaCache(KernelRelease release) {
        j = new JobMachine(release);
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(512, GFP_KERNEL_ACCOUNT | GFP_DMA));
        KmemCache s = j.caches.cacheOf(j.slub.virtToHeadPage(x));
        assertThat(s.name()).startsWith("dma-kmalloc-");
        j.drainAllStock();
        assertThat(j.m.get(CgroupFs.class).stat("/job", "slab_unreclaimable")).isEqualTo(s.objFullSize());
        j.kfreeAndVerify(x);
    }

    @ObjcgEras
    void fromFiveFourteenAccountedAndUnaccountedObjectsNeverShareASlabPage(KernelRelease release) {
        j = new JobMachine(release);
        List<Long> live = new ArrayList<>();
        List<Boolean> accounted = new ArrayList<>();
        int[] shared = new int[1];
        Seeded.run(0xc9cacL + release.ordinal(), rnd -> {
            for (int step = 0; step < 2000; step++) {
                if (live.isEmpty() || rnd.nextInt(4) < 3) {
                    boolean acct = rnd.nextBoolean();
                    int size = 1 + rnd.nextInt(512);
                    live.add(j.as(j.writer, () -> j.kmalloc.kmalloc(size, acct ? GFP_KERNEL_ACCOUNT : GFP_KERNEL)));
                    accounted.add(acct);
                } else {
                    int i = rnd.nextInt(live.size());
                    long x = live.remove(i);
                    accounted.remove(i);
                    j.run(j.writer, () -> j.kmalloc.kfree(x));
                }
            }
            for (int i = 0; i < live.size(); i++) {
                long x = live.get(i);
                Page page = j.slub.virtToHeadPage(x);
                KmemCache s = j.caches.cacheOf(page);
                ObjCgroupVector vector = vectorOf(page);
                boolean charged = vector != null && vector.get(s.objToIndex(page, x)) != null;
                assertThat(charged).as("%s in %s", Long.toHexString(x), s.name()).isEqualTo(accounted.get(i));
                if (cgCaches(release)) {
                    assertThat(s.name().startsWith("kmalloc-cg-")).as(s.name()).isEqualTo(accounted.get(i));
                    assertThat(s.accounted()).isEqualTo(accounted.get(i));
                } else if (!accounted.get(i) && vector != null) {
                    shared[0]++;
                }
            }
        });
        if (!cgCaches(release)) {
            assertThat(shared[0]).as("unaccounted objects on pages with accounted ones").isPositive();
        }
        j.kfreeAndVerify(live.stream().mapToLong(Long::longValue).toArray());
    }

    private ObjCgroupVector vectorOf(Page page) {
        long data = page.memcgData();
        return (data & MemcgData.MEMCG_DATA_OBJCGS) == 0 ? null
                : j.m.get(KernelObjects.class).resolve(data & ~MemcgData.MEMCG_DATA_FLAGS_MASK, ObjCgroupVector.class);
    }

    @Test
    void theCgCachesCountInMemoryStatLikeAnyAccountedSlab() {
        j = new JobMachine(KernelRelease.LATEST);
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(1024, GFP_KERNEL_ACCOUNT));
        long y = j.as(j.writer, () -> j.kmalloc.kmalloc(1024, GFP_KERNEL_ACCOUNT | __GFP_RECLAIMABLE));
        KmemCache cg = j.kmalloc.kmallocCache(KmallocCacheType.CGROUP, 1024);
        KmemCache rcl = j.kmalloc.kmallocCache(KmallocCacheType.RECLAIM, 1024);
        assertThat(cg.accounted()).as("SLAB_ACCOUNT").isTrue();
        assertThat(cg.reclaimable()).isFalse();
        j.drainAllStock();
        CgroupFs fs = j.m.get(CgroupFs.class);
        assertThat(fs.stat("/job", "slab_unreclaimable")).isEqualTo(cg.objFullSize());
        assertThat(fs.stat("/job", "slab_reclaimable")).isEqualTo(rcl.objFullSize());
        assertThat(fs.stat("/job", "slab")).isEqualTo(cg.objFullSize() + rcl.objFullSize());
        j.kfreeAndVerify(x, y);
    }

    @Test
    void withoutKmemAccountingTheCgCachesAreTheNormalOnes() {
        Module nokmem = b -> MemcgModule.config(b).setBinding()
                .toInstance(MemcgEras.CONFIG.at(KernelRelease.LATEST).withKmemAccounting(false));
        TestMachine m = SlabEraMachine.boot(KernelRelease.LATEST, SlabConfig.DEFAULT, nokmem);
        Kmalloc kmalloc = m.get(Kmalloc.class);
        assertThat(kmalloc.kmallocSlab(64, GFP_KERNEL_ACCOUNT)).isSameAs(kmalloc.kmallocSlab(64));
        assertThat(m.get(SlabCaches.class).caches()).noneMatch(c -> c.name().startsWith("kmalloc-cg-"));
        assertThat(kmalloc.kmallocSlab(64, GFP_KERNEL | __GFP_RECLAIMABLE).name()).isEqualTo("kmalloc-rcl-64");
        m.verify();
    }

    @Test
    void withoutMemcgThereAreNoCgCaches() {
        TestMachine m = TestMachine.boot(MemoryConfig.of("64M"), new SlabModule());
        Kmalloc kmalloc = m.get(Kmalloc.class);
        assertThat(kmalloc.kmallocSlab(64, GFP_KERNEL_ACCOUNT)).isSameAs(kmalloc.kmallocSlab(64));
        assertThat(kmalloc.kmallocSlab(64, GFP_KERNEL_ACCOUNT | GFP_DMA).name()).isEqualTo("dma-kmalloc-64");
        m.verify();
    }

    @Test
    void theLatestEraCreatesEverySetInSizeIndexOrderAndTheCgSetLast() {
        j = new JobMachine(KernelRelease.LATEST);
        List<String> names = j.caches.caches().stream().map(KmemCache::name)
                .filter(n -> n.startsWith("kmalloc-") || n.startsWith("dma-kmalloc-")).toList();
        assertThat(names).startsWith("kmalloc-96", "kmalloc-192", "kmalloc-8").endsWith("kmalloc-cg-8k");
        assertThat(names.indexOf("kmalloc-cg-96")).isGreaterThan(names.indexOf("dma-kmalloc-8k"));
        j.m.verify();
    }
}
