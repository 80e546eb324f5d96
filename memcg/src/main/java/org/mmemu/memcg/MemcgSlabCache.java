package org.mmemu.memcg;

import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;

import org.mmemu.core.page.Page;

/**
 * What memcg's slab hooks read of a {@code struct kmem_cache} and its slab pages; the slab
 * module's caches implement it.
 */
public interface MemcgSlabCache {
    /** {@code s->size}: the object size with its metadata and alignment. */
    int size();

    /** {@code s->flags & SLAB_ACCOUNT}: every object of the cache is accounted. */
    boolean accounted();

    /**
     * {@code (flags & __GFP_ACCOUNT) || (s->flags & SLAB_ACCOUNT)}: whether an allocation from
     * this cache with {@code gfp} is accounted at all. Without it every era's slab allocation
     * hooks do nothing: 4.7's {@code __memcg_kmem_get_cache} makes the test itself and returns
     * the root cache (whose {@code memcg_kmem_put_cache} then has nothing to put); from 4.8
     * (452647784b2f, in the seed commit's series) to 5.11 {@code slab_pre_alloc_hook} makes it,
     * the latest {@code memcg_slab_post_alloc_hook}.
     */
    default boolean accounts(int gfp) {
        return (gfp & __GFP_ACCOUNT) != 0 || accounted();
    }

    /**
     * {@code s->flags & SLAB_RECLAIM_ACCOUNT}: objects count as {@code slab_reclaimable}
     * rather than {@code slab_unreclaimable} ({@code cache_vmstat_idx}).
     */
    boolean reclaimable();

    /** {@code objs_per_slab_page(s, page)}: how many objects the slab page holds. */
    int objects(Page page);

    /** {@code obj_to_index(s, page, obj)}: the slot of the object at {@code address}. */
    int objToIndex(Page page, long address);

    /**
     * {@code obj_full_size}: what an accounted object is charged, its size plus its slot in
     * the obj_cgroup vector.
     */
    default int objFullSize() {
        return size() + ObjCgroupVector.POINTER_SIZE;
    }
}
