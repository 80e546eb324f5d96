package org.mmemu.slab;

import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import java.util.Optional;
import java.util.function.IntFunction;
import org.mmemu.core.KernelBug;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.memcg.kmem.KmemPages;

/**
 * kmalloc (mm/slab_common.c {@code kmalloc_slab}, {@code create_kmalloc_caches},
 * {@code kmalloc_order}; mm/slub.c {@code __kmalloc}, {@code kfree}, {@code __ksize};
 * include/linux/slab.h). On x86-64 with SLUB every era from 4.8 to 6.13 has the same classes:
 * {@code KMALLOC_SHIFT_LOW} 3 and {@code KMALLOC_SHIFT_HIGH} {@code PAGE_SHIFT + 1}, so
 *
 * <pre>
 *  index  1   2    3  4   5   6   7    8    9    10    11    12    13
 *  size   96  192  8  16  32  64  128  256  512  1024  2048  4096  8192
 * </pre>
 *
 * sizes up to 192 going through {@code size_index} (72..96 to the 96 class, 136..192 to 192),
 * larger ones to {@code fls(size - 1)}. Above 8192 {@code kmalloc_large} takes a compound block
 * from the page allocator with the caller's gfp, so an {@code __GFP_ACCOUNT} kmalloc_large is
 * charged by the era's kmem policy: through {@code alloc_kmem_pages} until 4.7, on the
 * allocator's hooks from 4.8 ({@link KmallocLargePages}). From 4.20 {@code __GFP_RECLAIMABLE}
 * kmallocs have caches of their own, {@code kmalloc-rcl-*} ({@link KmallocTypes}).
 */
public final class Kmalloc {
    /** {@code ZERO_SIZE_PTR}: what {@code kmalloc(0)} returns. */
    public static final long ZERO_SIZE_PTR = 16;
    /** {@code KMALLOC_MAX_CACHE_SIZE}: the largest size served by a cache. */
    public static final int KMALLOC_MAX_CACHE_SIZE = 8192;
    private static final int KMALLOC_SHIFT_LOW = 3;
    private static final int KMALLOC_SHIFT_HIGH = 13;
    /** {@code size_index}: the class of sizes 8, 16, ... 192, by {@code (size - 1) / 8}. */
    private static final byte[] SIZE_INDEX = {
        3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2,
    };

    private final Slub slub;
    private final SlabPages pages;
    private final PageAllocator allocator;
    private final MemMap memMap;
    private final KmallocLargePages largePages;
    private final Optional<KmemPages> kmemPages;
    /** {@code kmalloc_caches[KMALLOC_NORMAL]}, by index. */
    private final KmemCache[] caches = new KmemCache[KMALLOC_SHIFT_HIGH + 1];
    /** {@code kmalloc_caches[KMALLOC_RECLAIM]}, by index; the normal caches before 4.20. */
    private final KmemCache[] reclaimCaches;

    @Inject
    @SuppressWarnings("checkstyle:ParameterNumber")
    Kmalloc(Slub slub, SlabPages pages, SlabCaches slabCaches, PageAllocator allocator, MemMap memMap,
            KmallocNames names, KmallocTypes types, KmallocLargePages largePages, Optional<KmemPages> kmemPages) {
        this.largePages = largePages;
        this.kmemPages = kmemPages;
        this.slub = slub;
        this.pages = pages;
        this.allocator = allocator;
        this.memMap = memMap;
        createKmallocCaches(slabCaches, names::name, SlabFlags.SLAB_PANIC, caches);
        reclaimCaches = types.reclaimCaches() ? new KmemCache[KMALLOC_SHIFT_HIGH + 1] : caches;
        if (types.reclaimCaches()) {
            // new_kmalloc_cache: a KMALLOC_RECLAIM cache gets SLAB_RECLAIM_ACCOUNT
            createKmallocCaches(slabCaches, names::reclaimName, SlabFlags.SLAB_PANIC | SlabFlags.SLAB_RECLAIM_ACCOUNT,
                    reclaimCaches);
        }
    }

    /** {@code create_kmalloc_caches} for one type: the powers of two, 96 after 64, 192 after 128. */
    private static void createKmallocCaches(SlabCaches slabCaches, IntFunction<String> name, int flags,
                                            KmemCache[] into) {
        for (int i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
            into[i] = slabCaches.kmemCacheCreate(name.apply(1 << i), 1 << i, 0, flags);
            if (i == 6) {
                into[1] = slabCaches.kmemCacheCreate(name.apply(96), 96, 0, flags);
            } else if (i == 7) {
                into[2] = slabCaches.kmemCacheCreate(name.apply(192), 192, 0, flags);
            }
        }
    }

    /** {@code kmalloc_index}: the class index of {@code size} (1 to 8192 bytes). */
    public static int kmallocIndex(int size) {
        return size <= 192 ? SIZE_INDEX[(size - 1) >>> 3] : 32 - Integer.numberOfLeadingZeros(size - 1);
    }

    /** {@code kmalloc_slab(size)}: the normal cache serving {@code size} bytes (1 to 8192). */
    public KmemCache kmallocSlab(int size) {
        return caches[kmallocIndex(size)];
    }

    /**
     * {@code kmalloc_slab(size, flags)}: the cache of {@code kmalloc_type(flags)} serving
     * {@code size} bytes (1 to 8192): from 4.20 a {@code __GFP_RECLAIMABLE} one is a
     * {@code kmalloc-rcl-} cache.
     */
    public KmemCache kmallocSlab(int size, int gfp) {
        return ((gfp & __GFP_RECLAIMABLE) != 0 ? reclaimCaches : caches)[kmallocIndex(size)];
    }

    /** {@code kmalloc(size, gfp)}: an address, {@link #ZERO_SIZE_PTR} for 0 bytes, or 0. */
    public long kmalloc(long size, int gfp) {
        if (size > KMALLOC_MAX_CACHE_SIZE) {
            return kmallocLarge(size, gfp);
        }
        if (size <= 0) {
            return size == 0 ? ZERO_SIZE_PTR : 0;
        }
        return slub.kmemCacheAlloc(kmallocSlab((int) size, gfp), gfp);
    }

    /** {@code kzalloc}: {@code kmalloc} with {@code __GFP_ZERO}. */
    public long kzalloc(long size, int gfp) {
        return kmalloc(size, gfp | __GFP_ZERO);
    }

    /** {@code kmalloc_large} / {@code kmalloc_order}: a compound block with the caller's gfp. */
    public long kmallocLarge(long size, int gfp) {
        int order = SlabOrder.getOrder(size);
        Page page = largePages.alloc(allocator, kmemPages, gfp | __GFP_COMP, order);
        return page == null ? 0 : MemMap.pageAddress(page);
    }

    /**
     * {@code kfree(x)}: 0 and {@link #ZERO_SIZE_PTR} are ignored; an object goes back to the
     * cache its slab page names; a kmalloc_large block to the page allocator. Anything else is
     * the kernel's {@code BUG_ON(!PageCompound(page))}.
     */
    public void kfree(long x) {
        if (Long.compareUnsigned(x, ZERO_SIZE_PTR) <= 0) {
            return;
        }
        Page page = slub.virtToHeadPage(x);
        if (pages.isSlab(page)) {
            slub.kfree(page, x, slub.cacheOf(page));
            return;
        }
        if (!page.testFlag(PageFlags.PG_head)) {
            throw new KernelBug("kernel BUG at mm/slub.c:4118! (kfree: BUG_ON(!PageCompound(page)) for 0x"
                    + Long.toHexString(x) + ")");
        }
        largePages.free(allocator, kmemPages, page, CompoundHead.compoundOrder(memMap, page));
    }

    /** {@code ksize(x)}: the bytes usable at {@code x}: its cache's object size, or the block's. */
    public long ksize(long x) {
        if (Long.compareUnsigned(x, ZERO_SIZE_PTR) <= 0) {
            return 0;
        }
        Page page = slub.virtToHeadPage(x);
        if (pages.isSlab(page)) {
            return slub.cacheOf(page).size();
        }
        return (long) MemMap.PAGE_SIZE << CompoundHead.compoundOrder(memMap, page);
    }
}
