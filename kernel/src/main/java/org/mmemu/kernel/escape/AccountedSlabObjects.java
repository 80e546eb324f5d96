package org.mmemu.kernel.escape;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.mmemu.core.era.KernelRelease;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.slab.KmemCache;
import org.mmemu.slab.SlabCaches;
import org.mmemu.slab.SlabFlags;
import org.mmemu.slab.Slub;

/**
 * Objects of a {@code SLAB_ACCOUNT} cache, allocated in the process's context: a cache created
 * with {@code kmem_cache_create(..., SLAB_ACCOUNT)} and {@code kmem_cache_alloc(GFP_KERNEL)}
 * calls stand in for the system calls that allocate such objects (file descriptors' files,
 * inodes, dentries: the kernel's accounted caches). Until 5.8 the kernel charged them through
 * per-cgroup clones of the cache, created asynchronously on a cgroup's first allocation (the
 * first objects come from the root cache, uncharged); from 5.9 each object is charged to the
 * cgroup's obj_cgroup (mm/slab.h memcg_slab_post_alloc_hook).
 */
final class AccountedSlabObjects implements EscapePath {
    private static final int OBJECT_SIZE = 512;

    @Override
    public String name() {
        return "slab";
    }

    @Override
    public String description() {
        return "allocates 512-byte objects of a SLAB_ACCOUNT cache (kmem_cache_alloc in its context stands in for the"
                + " system calls that allocate objects of accounted caches)";
    }

    @Override
    public KernelChange closedBy() {
        return new KernelChange(KernelRelease.V5_9, "9855609bde03",
                "mm: memcg/slab: use a single set of kmem_caches for all accounted allocations",
                "until 5.8, memcg_kmem_get_cache (mm/memcontrol.c) sends a cgroup's objects to its clone of the cache,"
                        + " created by a work item after the first allocation, which takes the root cache: those objects"
                        + " are never charged; from 5.9 memcg_slab_post_alloc_hook charges each object to its obj_cgroup");
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        SlabCaches caches = kernel.get(SlabCaches.class);
        Slub slub = kernel.get(Slub.class);
        KmemCache cache = caches.kmemCacheCreate("escape_matrix", OBJECT_SIZE, 0, SlabFlags.SLAB_ACCOUNT);
        return new KernelAllocations(kernel, task, "kmem_cache_alloc(escape_matrix, GFP_KERNEL)",
                () -> slub.kmemCacheAlloc(cache, GFP_KERNEL), x -> slub.kmemCacheFree(cache, x),
                () -> caches.kmemCacheDestroy(cache));
    }
}
