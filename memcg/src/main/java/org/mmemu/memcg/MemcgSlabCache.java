package org.mmemu.memcg;

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
