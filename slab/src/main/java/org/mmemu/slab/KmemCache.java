package org.mmemu.slab;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgSlabCache;

/**
 * A slab cache ({@code struct kmem_cache}, mm/slub.c {@code kmem_cache_open}): objects of one
 * size carved out of slabs of {@code 2^order} pages. Made by {@link SlabCaches#kmemCacheCreate};
 * its layout is fixed then, as {@code calculate_sizes} fixes it:
 *
 * <pre>
 *  objectSize   what the creator asked for ({@code s->object_size})
 *  size         objectSize rounded to a word, then to the alignment ({@code s->size})
 *  offset       where a free object keeps the free pointer ({@code s->offset}, era dependent)
 *  order        calculate_order(size); objects = (PAGE_SIZE &lt;&lt; order) / size
 * </pre>
 *
 * <p>The cache has an emulated kernel address ({@link #address()}), which each of its slab pages
 * holds in {@code page->slab_cache}. Its per-CPU slabs and partial list are slab's own. memcg's
 * slab hooks read it as a {@link MemcgSlabCache}.
 *
 * <p>Up to 5.8 a cache is a root cache or a cgroup's clone of one ({@code s->memcg_params}): a
 * root cache keeps its clones by kmemcg id ({@code memcg_caches}) and all of them, dying ones
 * included ({@code children}); a clone knows its root and its cgroup ({@link MemcgCaches}).
 */
public final class KmemCache implements MemcgSlabCache {
    private final String name;
    private final int objectSize;
    private final int size;
    private final int align;
    private final int offset;
    private final int order;
    private final int objects;
    private final int flags;
    /** {@code s->min_partial}; 0 once a clone is deactivated, so its empty slabs go at once. */
    private volatile int minPartial;
    /** {@code s->reciprocal_size}: {@code ceil(2^64 / size)}, so that {@link #objToIndex} multiplies. */
    private final long reciprocalSize;
    /** {@code s->allocflags}: the gfp every slab page of the cache is allocated with. */
    final int allocflags;
    /** {@code s->cpu_slab}, indexed by CPU id. */
    final KmemCacheCpu[] cpuSlab;
    /** {@code s->node[0]}. */
    final KmemCacheNode node;
    private long address;
    /** {@code s->refcount}; guarded by the caches' {@code slab_mutex}. */
    int refcount = 1;
    /** {@code memcg_params.root_cache}: null for a root cache. */
    private KmemCache rootCache;
    /** {@code memcg_params.memcg}: a clone's cgroup, null for a root cache. */
    private MemCgroup memcg;
    /**
     * {@code memcg_params.memcg_caches} of a root cache: its clones by kmemcg id, read without
     * a lock; replaced by a longer copy under {@code slab_mutex} ({@code memcg_update_cache_size}).
     */
    volatile AtomicReferenceArray<KmemCache> memcgCaches = new AtomicReferenceArray<>(0);
    /** {@code memcg_params.children} of a root cache: every clone, active or dying. */
    final List<KmemCache> children = new CopyOnWriteArrayList<>();
    /**
     * {@code memcg_params.dying} of a root cache (4.18): its destroy has begun, so its clones'
     * deactivations are no longer deferred. Guarded by {@code slab_mutex}.
     */
    boolean dying;

    @SuppressWarnings("checkstyle:ParameterNumber")
    KmemCache(String name, int objectSize, int size, int align, int offset, int order, int flags,
              int allocflags, int nrCpus, MemMap memMap) {
        this.name = name;
        this.objectSize = objectSize;
        this.size = size;
        this.align = align;
        this.offset = offset;
        this.order = order;
        this.objects = SlabOrder.orderObjects(order, size);
        this.flags = flags;
        this.allocflags = allocflags;
        // set_min_partial(s, ilog2(s->size) / 2), clamped to MIN_PARTIAL..MAX_PARTIAL.
        this.minPartial = Math.max(5, Math.min(10, (31 - Integer.numberOfLeadingZeros(size)) / 2));
        this.reciprocalSize = Long.divideUnsigned(-1L, size) + 1;
        this.cpuSlab = new KmemCacheCpu[nrCpus];
        for (int i = 0; i < nrCpus; i++) {
            cpuSlab[i] = new KmemCacheCpu();
        }
        this.node = new KmemCacheNode(memMap);
    }

    /** {@code s->name}. */
    public String name() {
        return name;
    }

    /** {@code s->object_size}: the size asked for. */
    public int objectSize() {
        return objectSize;
    }

    /** {@code s->size}: the bytes each object takes in a slab, what {@code ksize} reports. */
    @Override
    public int size() {
        return size;
    }

    /** {@code s->align}. */
    public int align() {
        return align;
    }

    /** {@code s->offset}: the free pointer's offset in a free object. */
    public int offset() {
        return offset;
    }

    /** The page order of the cache's slabs ({@code oo_order(s->oo)}). */
    public int order() {
        return order;
    }

    /** Objects per slab ({@code oo_objects(s->oo)}). */
    public int objects() {
        return objects;
    }

    /** {@code s->flags}: the {@link SlabFlags} the cache was created with, and slub_debug's. */
    public int flags() {
        return flags;
    }

    /** {@code s->min_partial}: empty slabs the partial list keeps before freeing one. */
    public int minPartial() {
        return minPartial;
    }

    void setMinPartial(int minPartial) {
        this.minPartial = minPartial;
    }

    /** {@code is_root_cache(s)}: not a cgroup's clone. */
    public boolean isRootCache() {
        return rootCache == null;
    }

    /** {@code memcg_root_cache(s)}: the root cache of a clone, the cache itself for a root. */
    public KmemCache rootCache() {
        return rootCache == null ? this : rootCache;
    }

    /** {@code s->memcg_params.memcg}: the cgroup a clone's slab pages are charged to, or null. */
    public MemCgroup memcg() {
        return memcg;
    }

    /** Makes this cache {@code memcg}'s clone of {@code root}, before it is published. */
    void setMemcgParams(KmemCache root, MemCgroup memcg) {
        this.rootCache = root;
        this.memcg = memcg;
    }

    /** {@code cache_from_memcg_idx(s, idx)}: the root cache's clone at kmemcg id {@code idx}, or null. */
    KmemCache cacheFromMemcgIdx(int idx) {
        AtomicReferenceArray<KmemCache> arr = memcgCaches;
        return idx < arr.length() ? arr.get(idx) : null;
    }

    /** The cache's emulated kernel address: what its slab pages' {@code slab_cache} holds. */
    public long address() {
        return address;
    }

    void setAddress(long address) {
        this.address = address;
    }

    @Override
    public boolean accounted() {
        return (flags & SlabFlags.SLAB_ACCOUNT) != 0;
    }

    @Override
    public boolean reclaimable() {
        return (flags & SlabFlags.SLAB_RECLAIM_ACCOUNT) != 0;
    }

    /** {@code objs_per_slab_page}: every slab of the cache holds {@link #objects()}. */
    @Override
    public int objects(Page page) {
        return objects;
    }

    /**
     * {@code obj_to_index}: the offset of {@code address} in its slab over {@code s->size}, as
     * {@code reciprocal_divide} computes it, with a multiplication. Exact for any address inside
     * the slab: the rounding error of the 64-bit reciprocal stays below {@code 1 / size} while
     * the slab is smaller than {@code 2^64 / size}.
     */
    @Override
    public int objToIndex(Page page, long address) {
        return (int) Math.multiplyHigh(address - MemMap.pageAddress(page), reciprocalSize);
    }

    /** {@code kmem_cache_debug_flags(s, SLAB_CONSISTENCY_CHECKS)}. */
    boolean debug() {
        return (flags & SlabFlags.SLAB_CONSISTENCY_CHECKS) != 0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(size=%d, order=%d, objects=%d)", name, size, order, objects);
    }
}
