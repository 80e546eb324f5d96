package org.mmemu.bench;

import java.util.function.UnaryOperator;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.era.MmCoreEras;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgEras;

/**
 * The three designs of {@code __GFP_ACCOUNT} page accounting in the generic allocator paths,
 * each as the last kernel that had it ran it, read from the era tables ({@link MemcgEras},
 * {@link MmCoreEras}): its kmem policy, its page-type encoding and its memcg configuration
 * (charge batch, and whether a kmem uncharge goes to the counters or into the freeing CPU's
 * stock).
 */
enum KmemDesign {
    /** 4.8-5.10: PageKmemcg in {@code _mapcount} (5.10's bit), uncharge straight to the counters. */
    PAGE_TYPE(KernelRelease.V5_10, UnaryOperator.identity()),
    /**
     * Not a kernel: the page-type design with 5.11's uncharge into the stock, to tell what the
     * design costs from what 5.10's uncharge straight to the counters costs.
     */
    PAGE_TYPE_STOCK(KernelRelease.V5_10, c -> c.withKmemUnchargeViaStock(true)),
    /** 5.11: {@code memcg | MEMCG_DATA_KMEM}, uncharge into the stock. */
    MEMCG_DATA_FLAG(KernelRelease.V5_11, UnaryOperator.identity()),
    /** Latest: {@code objcg | MEMCG_DATA_KMEM}, batch 64, uncharge into the stock. */
    OBJCG(KernelRelease.LATEST, UnaryOperator.identity());

    final String kmemPolicy;
    final String pageTypeEncoding;
    final MemcgConfig config;

    KmemDesign(KernelRelease release, UnaryOperator<MemcgConfig> change) {
        this.kmemPolicy = MemcgEras.KMEM.at(release);
        this.pageTypeEncoding = MmCoreEras.PAGE_TYPES.at(release);
        this.config = change.apply(MemcgEras.CONFIG.at(release));
    }
}
