package org.mmemu.bench;

import org.mmemu.memcg.ChargeSemantics;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.kmem.MemcgDataFlagPolicy;
import org.mmemu.memcg.kmem.ObjcgPolicy;
import org.mmemu.memcg.kmem.PageTypePolicy;

/**
 * The three designs of {@code __GFP_ACCOUNT} page accounting in the generic allocator paths,
 * each as the last kernel that had it ran it: its kmem policy, its page-type encoding and its
 * memcg configuration (charge batch, and whether a kmem uncharge goes to the counters or into
 * the freeing CPU's stock).
 */
enum KmemDesign {
    /** 4.8-5.10: PageKmemcg in {@code _mapcount} (5.10's bit), uncharge straight to the counters. */
    PAGE_TYPE(PageTypePolicy.NAME, "pagetype.Bits50", MemcgConfig.LATEST.withChargeBatch(32)
            .withChargeSemantics(ChargeSemantics.V5_10).withKmemUnchargeViaStock(false)),
    /**
     * Not a kernel: the page-type design with 5.11's uncharge into the stock, to tell what the
     * design costs from what 5.10's uncharge straight to the counters costs.
     */
    PAGE_TYPE_STOCK(PageTypePolicy.NAME, "pagetype.Bits50", MemcgConfig.LATEST.withChargeBatch(32)
            .withChargeSemantics(ChargeSemantics.V5_10)),
    /** 5.11: {@code memcg | MEMCG_DATA_KMEM}, uncharge into the stock. */
    MEMCG_DATA_FLAG(MemcgDataFlagPolicy.NAME, "pagetype.Bits511", MemcgConfig.LATEST.withChargeBatch(32)
            .withChargeSemantics(ChargeSemantics.V5_10)),
    /** Latest: {@code objcg | MEMCG_DATA_KMEM}, batch 64, uncharge into the stock. */
    OBJCG(ObjcgPolicy.NAME, "pagetype.TopByte613", MemcgConfig.LATEST);

    final String kmemPolicy;
    final String pageTypeEncoding;
    final MemcgConfig config;

    KmemDesign(String kmemPolicy, String pageTypeEncoding, MemcgConfig config) {
        this.kmemPolicy = kmemPolicy;
        this.pageTypeEncoding = pageTypeEncoding;
        this.config = config;
    }
}
