package org.mmemu.slab;

import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_DMA;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import java.util.Optional;
import org.mmemu.core.KernelBug;
import org.mmemu.core.alloc.KmemPageHelpers;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.memcg.MemcgConfig;

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
 * allocator's hooks from 4.8 ({@link KmallocLargePages}). Each kind of cache has a set of these
 * classes: {@code dma-kmalloc-*} for {@code __GFP_DMA} in every era, {@code kmalloc-rcl-*} for
 * {@code __GFP_RECLAIMABLE} from 4.20, {@code kmalloc-cg-*} for {@code __GFP_ACCOUNT} from 5.14
 * ({@link KmallocTypes}, {@link KmallocCacheType}).
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

    /** {@code create_kmalloc_caches} up to 5.x: powers of two, 96 after 64, 192 after 128. */
    private static final int[] BY_POWERS = {3, 4, 5, 6, 1, 7, 2, 8, 9, 10, 11, 12, 13};
    /** ... and by size index: the dma set up to 5.x, every set in 6.13.7. */
    private static final int[] BY_SIZE_INDEX = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    /** {@code kmalloc_type}'s gfp bits, folded into the index of {@link #byFlags}. */
    private static final int TYPE_BITS = 8;

    private final Slub slub;
    private final SlabPages pages;
    private final PageAllocator allocator;
    private final MemMap memMap;
    private final KmallocLargePages largePages;
    private final KmemPageHelpers kmemPages;
    /** {@code kmalloc_caches[type]}, by {@link KmallocCacheType} then size index. */
    private final KmemCache[][] caches = new KmemCache[KmallocCacheType.values().length][];
    /** {@code kmalloc_caches[kmalloc_type(gfp)]} by {@link #typeBits}, so the lookup takes no branch. */
    private final KmemCache[][] byFlags = new KmemCache[TYPE_BITS][];

    @Inject
    @SuppressWarnings("checkstyle:ParameterNumber")
    Kmalloc(Slub slub, SlabPages pages, SlabCaches slabCaches, PageAllocator allocator, MemMap memMap,
            KmallocNames names, KmallocTypes types, KmallocLargePages largePages, KmemPageHelpers kmemPages,
            Optional<MemcgConfig> memcg) {
        this.largePages = largePages;
        this.kmemPages = kmemPages;
        this.slub = slub;
        this.pages = pages;
        this.allocator = allocator;
        this.memMap = memMap;
        // mem_cgroup_kmem_disabled(), or no CONFIG_MEMCG: KMALLOC_CGROUP is KMALLOC_NORMAL.
        boolean kmem = memcg.isPresent() && memcg.get().kmemAccounting();
        for (KmallocCacheType type : types.types()) {
            if (type != KmallocCacheType.CGROUP || kmem) {
                int[] order = types.bySizeIndex() || type == KmallocCacheType.DMA ? BY_SIZE_INDEX : BY_POWERS;
                caches[type.ordinal()] = createKmallocCaches(slabCaches, names, type, order);
            }
        }
        KmemCache[] normal = caches[KmallocCacheType.NORMAL.ordinal()];
        for (int i = 0; i < caches.length; i++) {
            if (caches[i] == null) {
                caches[i] = normal;
            }
        }
        for (int bits = 0; bits < TYPE_BITS; bits++) {
            byFlags[bits] = caches[types.kmallocType(gfpOf(bits)).ordinal()];
        }
    }

    /** {@code new_kmalloc_cache} for each size of one kind, in {@code order}. */
    private static KmemCache[] createKmallocCaches(SlabCaches slabCaches, KmallocNames names, KmallocCacheType type,
                                                  int[] order) {
        KmemCache[] into = new KmemCache[KMALLOC_SHIFT_HIGH + 1];
        int flags = SlabFlags.SLAB_PANIC | type.flags();
        for (int i : order) {
            int size = i == 1 ? 96 : i == 2 ? 192 : 1 << i;
            into[i] = slabCaches.kmemCacheCreate(names.name(type, size), size, 0, flags);
        }
        return into;
    }

    /** {@code __GFP_DMA}, {@code __GFP_RECLAIMABLE} and {@code __GFP_ACCOUNT} of {@code gfp} as bits 0 to 2. */
    private static int typeBits(int gfp) {
        return (gfp & __GFP_DMA) | (gfp & __GFP_RECLAIMABLE) >>> 3 | (gfp & __GFP_ACCOUNT) >>> 20;
    }

    /** The gfp whose {@link #typeBits} are {@code bits}. */
    private static int gfpOf(int bits) {
        return (bits & 1) * __GFP_DMA | (bits >> 1 & 1) * __GFP_RECLAIMABLE | (bits >> 2 & 1) * __GFP_ACCOUNT;
    }

    /** {@code kmalloc_index}: the class index of {@code size} (1 to 8192 bytes). */
    public static int kmallocIndex(int size) {
        return size <= 192 ? SIZE_INDEX[(size - 1) >>> 3] : 32 - Integer.numberOfLeadingZeros(size - 1);
    }

    /** {@code kmalloc_slab(size)}: the normal cache serving {@code size} bytes (1 to 8192). */
    public KmemCache kmallocSlab(int size) {
        return caches[KmallocCacheType.NORMAL.ordinal()][kmallocIndex(size)];
    }

    /**
     * {@code kmalloc_slab(size, flags)}: the cache of {@code kmalloc_type(flags)} serving
     * {@code size} bytes (1 to 8192), as the era's {@link KmallocTypes} picks it.
     */
    public KmemCache kmallocSlab(int size, int gfp) {
        return byFlags[typeBits(gfp)][kmallocIndex(size)];
    }

    /**
     * {@code kmalloc_caches[type][kmalloc_index(size)]}: the cache of {@code type} serving
     * {@code size} bytes; the normal one for a kind the era (or the configuration) lacks.
     */
    public KmemCache kmallocCache(KmallocCacheType type, int size) {
        return caches[type.ordinal()][kmallocIndex(size)];
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
