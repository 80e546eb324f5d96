package org.mmemu.slab;

import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_DMA;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which kinds of kmalloc caches ({@link KmallocCacheType}) an era has and which one serves a gfp
 * (include/linux/slab.h {@code kmalloc_type}; mm/slab_common.c {@code kmalloc_slab},
 * {@code create_kmalloc_caches}), on x86-64 ({@code CONFIG_ZONE_DMA}, {@code CONFIG_MEMCG}):
 *
 * <pre>
 *  era            kinds                           chosen by, first match wins
 *  4.8 .. 4.19    normal, dma                     __GFP_DMA (kmalloc_dma_caches[], 4.8.15, 4.18)
 *  4.20 .. 5.13   normal, rcl, dma                __GFP_DMA, then __GFP_RECLAIMABLE (5.10.7, 5.11)
 *  5.14 on        normal, rcl, dma, cg            __GFP_DMA, then __GFP_RECLAIMABLE, then
 *                                                 __GFP_ACCOUNT (6.13.7)
 * </pre>
 *
 * So before 5.14 one set of caches holds accounted and unaccounted objects side by side (each
 * slab page's obj_cgroup vector tells them apart from 5.9); from 5.14 a {@code GFP_KERNEL_ACCOUNT}
 * kmalloc is served by a {@code kmalloc-cg-} cache and a {@code kmalloc-} page holds no accounted
 * object, while a reclaimable or DMA one still shares its cache. The cg caches exist only with
 * memcg's kmem accounting: without memcg ({@code !CONFIG_MEMCG}) or with
 * {@code cgroup.memory=nokmem} ({@code mem_cgroup_kmem_disabled}) {@link Kmalloc} makes them the
 * normal ones.
 */
public interface KmallocTypes {
    /** The name the era table selects. */
    String policyName();

    /** The kinds this era creates, in {@code enum kmalloc_cache_type} order (the order of creation). */
    Set<KmallocCacheType> types();

    /**
     * Whether {@code create_kmalloc_caches} makes every kind's set in size-index order (96, 192,
     * 8, 16, ...), as 6.13.7 does; before, the normal and rcl sets went by powers of two with 96
     * after 64 and 192 after 128, and the dma set came last, in size-index order.
     */
    boolean bySizeIndex();

    /** {@code kmalloc_type(flags)}: the kind serving {@code gfp}, among {@link #types()}. */
    default KmallocCacheType kmallocType(int gfp) {
        Set<KmallocCacheType> types = types();
        if ((gfp & __GFP_DMA) != 0 && types.contains(KmallocCacheType.DMA)) {
            return KmallocCacheType.DMA;
        }
        if ((gfp & __GFP_RECLAIMABLE) != 0 && types.contains(KmallocCacheType.RECLAIM)) {
            return KmallocCacheType.RECLAIM;
        }
        if ((gfp & __GFP_ACCOUNT) != 0 && types.contains(KmallocCacheType.CGROUP)) {
            return KmallocCacheType.CGROUP;
        }
        return KmallocCacheType.NORMAL;
    }

    /** The kinds the kernel has had. */
    enum Eras implements KmallocTypes {
        /** Until 4.19: {@code kmalloc_caches[]} and {@code kmalloc_dma_caches[]}. */
        NORMAL("kmalloctypes.Normal", EnumSet.of(KmallocCacheType.NORMAL, KmallocCacheType.DMA), false),
        /** 4.20 on (commit 1291523f2c1d): {@code KMALLOC_NORMAL}, {@code KMALLOC_RECLAIM}, {@code KMALLOC_DMA}. */
        RECLAIM_4_20("kmalloctypes.Reclaim420",
                EnumSet.of(KmallocCacheType.NORMAL, KmallocCacheType.RECLAIM, KmallocCacheType.DMA), false),
        /** 5.14 on (commit 494c1dfe855e), as 6.13.7 creates them: {@code KMALLOC_CGROUP} too. */
        CGROUP_5_14("kmalloctypes.Cgroup514", EnumSet.allOf(KmallocCacheType.class), true);

        private final String policyName;
        private final Set<KmallocCacheType> types;
        private final boolean bySizeIndex;

        Eras(String policyName, Set<KmallocCacheType> types, boolean bySizeIndex) {
            this.policyName = policyName;
            this.types = Collections.unmodifiableSet(EnumSet.copyOf(types));
            this.bySizeIndex = bySizeIndex;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public Set<KmallocCacheType> types() {
            return types;
        }

        @Override
        public boolean bySizeIndex() {
            return bySizeIndex;
        }
    }
}
