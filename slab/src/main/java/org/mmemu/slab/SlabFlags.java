package org.mmemu.slab;

/**
 * The {@code SLAB_*} cache flags of include/linux/slab.h, with the values of 4.8 to 5.11 (6.x
 * numbers them by their place in {@code enum _slab_flag_bits}; only their meaning matters here).
 */
public final class SlabFlags {
    /** {@code SLAB_CONSISTENCY_CHECKS}: slub_debug=F, the free-time checks of this cache. */
    public static final int SLAB_CONSISTENCY_CHECKS = 0x00000100;
    /** {@code SLAB_HWCACHE_ALIGN}: objects aligned to the 64-byte cache line. */
    public static final int SLAB_HWCACHE_ALIGN = 0x00002000;
    /** {@code SLAB_CACHE_DMA}: the cache's pages are allocated with {@code GFP_DMA}. */
    public static final int SLAB_CACHE_DMA = 0x00004000;
    /** {@code SLAB_RECLAIM_ACCOUNT}: the cache's pages are reclaimable ({@code __GFP_RECLAIMABLE}). */
    public static final int SLAB_RECLAIM_ACCOUNT = 0x00020000;
    /** {@code SLAB_PANIC}: a failed {@code kmem_cache_create} panics. */
    public static final int SLAB_PANIC = 0x00040000;
    /** {@code SLAB_ACCOUNT}: every object is charged to the allocating cgroup. */
    public static final int SLAB_ACCOUNT = 0x04000000;

    private SlabFlags() {
    }
}
