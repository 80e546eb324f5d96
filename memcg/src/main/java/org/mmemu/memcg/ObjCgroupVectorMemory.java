package org.mmemu.memcg;

/**
 * Where the memory of an obj_cgroup vector comes from: the kernel's
 * {@code kcalloc_node(objects, sizeof(struct obj_cgroup *), gfp)}, i.e. the kmalloc caches.
 * memcg has no slab allocator, so this is an SPI: the default ({@link PageObjCgroupVectorMemory})
 * takes whole pages from the page allocator; the slab module binds its kmalloc with
 * {@link MemcgModule#objcgVectorMemory}{@code (binder).setBinding()}.
 *
 * <p>The gfp is the slab allocation's, without {@code __GFP_ACCOUNT} (the vector is never
 * charged, as in {@code memcg_slab_post_alloc_hook}).
 */
public interface ObjCgroupVectorMemory {
    /**
     * {@code kcalloc}: {@code size} zeroed bytes.
     *
     * @return the kernel address of the memory, or 0 when the allocation failed
     */
    long kcalloc(int size, int gfp);

    /** {@code kfree} of what {@link #kcalloc} returned for {@code size} bytes. */
    void kfree(long address, int size);
}
