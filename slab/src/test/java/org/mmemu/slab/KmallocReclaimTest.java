package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.memcg.fs.CgroupFs;

/** {@code __GFP_RECLAIMABLE} kmallocs: the {@code kmalloc-rcl-} caches from 4.20 (our 5.9). */
class KmallocReclaimTest {
    private JobMachine j;

    @ParameterizedTest
    @EnumSource(value = KernelRelease.class, names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void aReclaimableKmallocComesFromTheReclaimCacheAndCountsAsReclaimableSlab(KernelRelease release) {
        j = new JobMachine(release);
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(1024, GFP_KERNEL_ACCOUNT | __GFP_RECLAIMABLE));
        KmemCache s = j.caches.cacheOf(j.slub.virtToHeadPage(x));
        assertThat(s.name()).isEqualTo("kmalloc-rcl-1k");
        assertThat(s).isSameAs(j.kmalloc.kmallocSlab(1024, __GFP_RECLAIMABLE)).isNotSameAs(j.kmalloc.kmallocSlab(1024));
        assertThat(s.flags() & SlabFlags.SLAB_RECLAIM_ACCOUNT).isNotZero();
        assertThat(s.reclaimable()).isTrue();
        CgroupFs fs = j.m.get(CgroupFs.class);
        j.drainAllStock();
        assertThat(fs.stat("/job", "slab_reclaimable")).isEqualTo(s.objFullSize());
        assertThat(fs.stat("/job", "slab_unreclaimable")).isZero();
        long plain = j.as(j.writer, () -> j.kmalloc.kmalloc(1024, GFP_KERNEL));
        assertThat(j.caches.cacheOf(j.slub.virtToHeadPage(plain)).name()).isEqualTo("kmalloc-1k");
        j.kfreeAndVerify(x, plain);
    }

    @ParameterizedTest
    @EnumSource(value = KernelRelease.class, names = {"V4_7", "V4_8", "V4_18"})
    void beforeFourTwentyItComesFromTheNormalCache(KernelRelease release) {
        j = new JobMachine(release);
        long x = j.as(j.writer, () -> j.kmalloc.kmalloc(64, GFP_KERNEL | __GFP_RECLAIMABLE));
        assertThat(j.caches.cacheOf(j.slub.virtToHeadPage(x))).isSameAs(j.kmalloc.kmallocSlab(64));
        assertThat(j.kmalloc.kmallocSlab(64, __GFP_RECLAIMABLE)).isSameAs(j.kmalloc.kmallocSlab(64));
        assertThat(j.caches.caches()).noneMatch(c -> c.name().startsWith("kmalloc-rcl-"));
        j.kfreeAndVerify(x);
    }
}
