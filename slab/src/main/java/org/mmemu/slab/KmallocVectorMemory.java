package org.mmemu.slab;

import com.google.inject.Inject;
import com.google.inject.Provider;
import org.mmemu.memcg.ObjCgroupVectorMemory;

/**
 * The obj_cgroup vectors' memory from slab's kmalloc, as the kernel's
 * {@code memcg_alloc_page_obj_cgroups} takes it ({@code kcalloc_node}) and
 * {@code memcg_free_page_obj_cgroups} gives it back ({@code kfree}). Kmalloc is looked up on
 * first use: the vectors are wired into the allocator that serves them.
 */
final class KmallocVectorMemory implements ObjCgroupVectorMemory {
    private final Provider<Kmalloc> kmalloc;

    @Inject
    KmallocVectorMemory(Provider<Kmalloc> kmalloc) {
        this.kmalloc = kmalloc;
    }

    @Override
    public long kcalloc(int size, int gfp) {
        return kmalloc.get().kzalloc(size, gfp);
    }

    @Override
    public void kfree(long address, int size) {
        kmalloc.get().kfree(address);
    }
}
