package org.mmemu.slab;

/**
 * Which kinds of kmalloc caches there are ({@code enum kmalloc_cache_type}, include/linux/slab.h
 * {@code kmalloc_type}; mm/slab_common.c {@code create_kmalloc_caches}): the normal caches only
 * until 4.19; from 4.20 (commit 1291523f2c1d) a {@code __GFP_RECLAIMABLE} kmalloc is served by
 * the {@code kmalloc-rcl-} caches, made with {@code SLAB_RECLAIM_ACCOUNT}, so that its objects
 * count as reclaimable slab. The {@code dma-kmalloc-} caches ({@code GFP_DMA}) are not modelled
 * (mm-core has one zone), nor 5.14's {@code kmalloc-cg-} caches: a {@code GFP_DMA} kmalloc is
 * served by the normal caches.
 */
public interface KmallocTypes {
    /** The name the era table selects. */
    String policyName();

    /** Whether {@code __GFP_RECLAIMABLE} kmallocs have caches of their own ({@code KMALLOC_RECLAIM}). */
    boolean reclaimCaches();

    /** The kinds the kernel has had. */
    enum Eras implements KmallocTypes {
        /** Until 4.19: {@code kmalloc_caches[]} and {@code kmalloc_dma_caches[]}. */
        NORMAL("kmalloctypes.Normal", false),
        /** 4.20 on: {@code KMALLOC_NORMAL}, {@code KMALLOC_RECLAIM} (and {@code KMALLOC_DMA}). */
        RECLAIM_4_20("kmalloctypes.Reclaim420", true);

        private final String policyName;
        private final boolean reclaimCaches;

        Eras(String policyName, boolean reclaimCaches) {
            this.policyName = policyName;
            this.reclaimCaches = reclaimCaches;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public boolean reclaimCaches() {
            return reclaimCaches;
        }
    }
}
