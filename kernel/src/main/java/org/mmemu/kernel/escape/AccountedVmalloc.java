package org.mmemu.kernel.escape;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;

/**
 * vmalloc areas with {@code __GFP_ACCOUNT}, allocated in the process's context:
 * {@code __vmalloc(64K, GFP_KERNEL_ACCOUNT)} stands in for the system calls that make such areas
 * (a BPF map's, a large fd table's). {@code __vmalloc_area_node} gives every page the caller's
 * gfp, so the pages are charged; the area's page array is allocated without
 * {@code __GFP_ACCOUNT}.
 */
final class AccountedVmalloc implements EscapePath {
    private static final long AREA = 64 << 10;

    @Override
    public String name() {
        return "vmalloc";
    }

    @Override
    public String description() {
        return "allocates 64 KiB vmalloc areas with GFP_KERNEL_ACCOUNT (__vmalloc in its context stands in for the"
                + " system calls that make accounted vmalloc areas)";
    }

    @Override
    public KernelChange closedBy() {
        return new KernelChange(KernelRelease.V4_7, null,
                "charged in every release modelled: __vmalloc_area_node takes its pages with the caller's gfp",
                "mm/vmalloc.c __vmalloc_area_node: alloc_kmem_pages(_node) in 4.6.2 (charged by memcg's helper),"
                        + " alloc_pages_node in 4.8.15, charged by the page allocator since 4949148ad433");
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        Vmalloc vmalloc = kernel.get(Vmalloc.class);
        return new KernelAllocations(kernel, task, "__vmalloc(64K, GFP_KERNEL_ACCOUNT)",
                () -> vmalloc.vmalloc(AREA, GFP_KERNEL_ACCOUNT), vmalloc::vfree, () -> { });
    }
}
