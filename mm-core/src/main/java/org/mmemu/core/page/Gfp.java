package org.mmemu.core.page;

/**
 * GFP flags (include/linux/gfp.h) with the kernel's names and the bit values of 5.11 and later,
 * which every emulated path uses internally. The 4.x values differ; {@link GfpLayout} translates
 * and names them for dumps and allocation-failure reports.
 */
@SuppressWarnings("checkstyle:ConstantName")
public final class Gfp {
    public static final int __GFP_DMA = 0x01;
    public static final int __GFP_HIGHMEM = 0x02;
    public static final int __GFP_DMA32 = 0x04;
    public static final int __GFP_MOVABLE = 0x08;
    public static final int __GFP_RECLAIMABLE = 0x10;
    public static final int __GFP_HIGH = 0x20;
    public static final int __GFP_IO = 0x40;
    public static final int __GFP_FS = 0x80;
    public static final int __GFP_ZERO = 0x100;
    public static final int __GFP_ATOMIC = 0x200;
    public static final int __GFP_DIRECT_RECLAIM = 0x400;
    public static final int __GFP_KSWAPD_RECLAIM = 0x800;
    public static final int __GFP_WRITE = 0x1000;
    public static final int __GFP_NOWARN = 0x2000;
    public static final int __GFP_RETRY_MAYFAIL = 0x4000;
    public static final int __GFP_NOFAIL = 0x8000;
    public static final int __GFP_NORETRY = 0x10000;
    public static final int __GFP_MEMALLOC = 0x20000;
    public static final int __GFP_COMP = 0x40000;
    public static final int __GFP_NOMEMALLOC = 0x80000;
    public static final int __GFP_HARDWALL = 0x100000;
    public static final int __GFP_THISNODE = 0x200000;
    public static final int __GFP_ACCOUNT = 0x400000;

    public static final int __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

    public static final int GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
    public static final int GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
    public static final int GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
    public static final int GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
    public static final int GFP_NOIO = __GFP_RECLAIM;
    public static final int GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
    public static final int GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
    public static final int GFP_DMA = __GFP_DMA;
    public static final int GFP_DMA32 = __GFP_DMA32;
    public static final int GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
    public static final int GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;

    /** {@code GFP_PGTABLE_KERNEL} (5.9 asm-generic/pgalloc.h). */
    public static final int GFP_PGTABLE_KERNEL = GFP_KERNEL | __GFP_ZERO;
    /** {@code GFP_PGTABLE_USER}: user page tables are charged from 4.8 on x86. */
    public static final int GFP_PGTABLE_USER = GFP_PGTABLE_KERNEL | __GFP_ACCOUNT;

    /**
     * {@code GFP_RECLAIM_MASK} (mm/internal.h): the flags that say how hard an allocation may
     * try, which an allocator passes on to the allocations it makes for the caller (SLUB's
     * {@code new_slab} keeps only these and {@link #GFP_CONSTRAINT_MASK}). Same flags in 4.8
     * (where {@code __GFP_REPEAT} held {@link #__GFP_RETRY_MAYFAIL}'s bit), 5.9 and 5.11.
     */
    public static final int GFP_RECLAIM_MASK = __GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS
            | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC
            | __GFP_NOMEMALLOC | __GFP_ATOMIC;
    /** {@code GFP_CONSTRAINT_MASK} (mm/internal.h, 4.8 to 5.11): where the pages may come from. */
    public static final int GFP_CONSTRAINT_MASK = __GFP_HARDWALL | __GFP_THISNODE;

    private Gfp() {
    }

    /** {@code gfpflags_allow_blocking}. */
    public static boolean allowsBlocking(int gfp) {
        return (gfp & __GFP_DIRECT_RECLAIM) != 0;
    }

    /** Whether {@code flag} (one or more bits) is fully set in {@code gfp}. */
    public static boolean has(int gfp, int flag) {
        return (gfp & flag) == flag;
    }
}
