package org.mmemu.slab;

/**
 * The kinds of kmalloc caches ({@code enum kmalloc_cache_type}, include/linux/slab.h), each a
 * full set of size classes with a name prefix and the flags {@code new_kmalloc_cache} gives it
 * (mm/slab_common.c, 6.13.7). Which kinds an era has, and which kind serves a gfp, is
 * {@link KmallocTypes}'s.
 *
 * <p>{@link #DMA}: mm-core has a single zone, so a {@code dma-kmalloc-} cache's slabs, allocated
 * with {@code GFP_DMA} as {@code calculate_sizes} sets it in {@code s->allocflags}, come from the
 * same pages as any other's; what is modelled is the choice of the cache and its name, the
 * {@code SLAB_CACHE_DMA} flag and the gfp of its pages.
 */
public enum KmallocCacheType {
    /** {@code KMALLOC_NORMAL}: {@code kmalloc-}; from 5.14 it holds only unaccounted objects. */
    NORMAL("kmalloc-", 0),
    /** {@code KMALLOC_RECLAIM} (4.20): {@code kmalloc-rcl-}, {@code SLAB_RECLAIM_ACCOUNT}. */
    RECLAIM("kmalloc-rcl-", SlabFlags.SLAB_RECLAIM_ACCOUNT),
    /** {@code KMALLOC_DMA} ({@code kmalloc_dma_caches[]} until 4.19): {@code dma-kmalloc-}, {@code SLAB_CACHE_DMA}. */
    DMA("dma-kmalloc-", SlabFlags.SLAB_CACHE_DMA),
    /** {@code KMALLOC_CGROUP} (5.14, 494c1dfe855e): {@code kmalloc-cg-}, {@code SLAB_ACCOUNT}. */
    CGROUP("kmalloc-cg-", SlabFlags.SLAB_ACCOUNT);

    private final String prefix;
    private final int flags;

    KmallocCacheType(String prefix, int flags) {
        this.prefix = prefix;
        this.flags = flags;
    }

    /** The caches' name before the size ({@code kmalloc_info[].name[type]}). */
    public String prefix() {
        return prefix;
    }

    /** The {@link SlabFlags} {@code new_kmalloc_cache} adds for this kind. */
    public int flags() {
        return flags;
    }
}
