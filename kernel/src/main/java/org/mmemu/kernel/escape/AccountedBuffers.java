package org.mmemu.kernel.escape;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.function.BiFunction;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.slab.Kmalloc;

/**
 * Kernel buffers allocated with {@code GFP_KERNEL_ACCOUNT} in the process's context, one per
 * step, standing in for the system calls that make them: {@link #vmalloc} areas
 * ({@code __vmalloc_area_node} gives each page the caller's gfp; the area's page array is
 * allocated without {@code __GFP_ACCOUNT}) and {@link #kmallocLarge} blocks (above
 * {@code KMALLOC_MAX_CACHE_SIZE}, 8 KiB on SLUB, {@code kmalloc_large} takes a compound block from
 * the page allocator with the caller's gfp).
 */
final class AccountedBuffers implements EscapePath {
    private final String name;
    private final String description;
    private final KernelChange closedBy;
    private final BiFunction<Kernel, Task, PathDrive> start;

    private AccountedBuffers(String name, String description, KernelChange closedBy,
                             BiFunction<Kernel, Task, PathDrive> start) {
        this.name = name;
        this.description = description;
        this.closedBy = closedBy;
        this.start = start;
    }

    /** 64 KiB {@code __vmalloc(GFP_KERNEL_ACCOUNT)} areas. */
    static AccountedBuffers vmalloc() {
        long area = 64 << 10;
        return new AccountedBuffers("vmalloc", "allocates 64 KiB vmalloc areas with GFP_KERNEL_ACCOUNT (__vmalloc in its"
                + " context stands in for the system calls that make accounted vmalloc areas)",
                new KernelChange(KernelRelease.V4_7, null,
                        "charged in every release modelled: __vmalloc_area_node takes its pages with the caller's gfp",
                        "mm/vmalloc.c __vmalloc_area_node: alloc_kmem_pages(_node) in 4.6.2 (charged by memcg's helper),"
                                + " alloc_pages_node in 4.8.15, charged by the page allocator since 4949148ad433"),
                (kernel, task) -> {
                    Vmalloc vmalloc = kernel.get(Vmalloc.class);
                    return new KernelAllocations(kernel, task, "__vmalloc(64K, GFP_KERNEL_ACCOUNT)",
                            () -> vmalloc.vmalloc(area, GFP_KERNEL_ACCOUNT), vmalloc::vfree, () -> { });
                });
    }

    /** 16 KiB {@code kmalloc(GFP_KERNEL_ACCOUNT)} blocks, each a {@code kmalloc_large} one. */
    static AccountedBuffers kmallocLarge() {
        long size = 16 << 10;
        return new AccountedBuffers("kmalloc-large", "allocates 16 KiB buffers with kmalloc(GFP_KERNEL_ACCOUNT), above the"
                + " largest kmalloc cache, so each is a kmalloc_large block of the page allocator (kmalloc in its context"
                + " stands in for the system calls)",
                new KernelChange(KernelRelease.V4_7, null,
                        "charged in every release modelled: kmalloc_order passes the caller's gfp to the page allocator",
                        "mm/slab_common.c kmalloc_order: alloc_kmem_pages in 4.6.2 (charged by memcg's helper),"
                                + " alloc_pages in 4.8.15, charged by the page allocator since 4949148ad433"),
                (kernel, task) -> {
                    Kmalloc kmalloc = kernel.get(Kmalloc.class);
                    return new KernelAllocations(kernel, task, "kmalloc(16K, GFP_KERNEL_ACCOUNT)",
                            () -> kmalloc.kmalloc(size, GFP_KERNEL_ACCOUNT), kmalloc::kfree, () -> { });
                });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public KernelChange closedBy() {
        return closedBy;
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        return start.apply(kernel, task);
    }
}
