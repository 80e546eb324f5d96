package org.mmemu.kernel.escape;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.mmemu.core.era.KernelRelease;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.slab.Kmalloc;

/**
 * kmalloc above the largest size class ({@code KMALLOC_MAX_CACHE_SIZE}, 8 KiB on SLUB) with
 * {@code GFP_KERNEL_ACCOUNT}, in the process's context: {@code kmalloc(16K)} stands in for the
 * system calls that make such buffers. {@code kmalloc_large} takes a compound block from the
 * page allocator with the caller's gfp.
 */
final class KmallocLarge implements EscapePath {
    private static final long SIZE = 16 << 10;

    @Override
    public String name() {
        return "kmalloc-large";
    }

    @Override
    public String description() {
        return "allocates 16 KiB buffers with kmalloc(GFP_KERNEL_ACCOUNT), above the largest kmalloc cache, so each is a"
                + " kmalloc_large block of the page allocator (kmalloc in its context stands in for the system calls)";
    }

    @Override
    public KernelChange closedBy() {
        return new KernelChange(KernelRelease.V4_7, null,
                "charged in every release modelled: kmalloc_order passes the caller's gfp to the page allocator",
                "mm/slab_common.c kmalloc_order: alloc_kmem_pages in 4.6.2 (charged by memcg's helper), alloc_pages in"
                        + " 4.8.15, charged by the page allocator since 4949148ad433");
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        Kmalloc kmalloc = kernel.get(Kmalloc.class);
        return new KernelAllocations(kernel, task, "kmalloc(16K, GFP_KERNEL_ACCOUNT)",
                () -> kmalloc.kmalloc(SIZE, GFP_KERNEL_ACCOUNT), kmalloc::kfree, () -> { });
    }
}
