package org.mmemu.core.alloc;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;

/**
 * Called at the end of the generic allocation path ({@code __alloc_pages}), where 4.8 put
 * {@code memcg_kmem_charge}. Runs only while {@link PageHooks#allocKey()} is on.
 */
@FunctionalInterface
public interface PageAllocHook {
    /**
     * @param cpu the calling thread's CPU, which the allocator looked up already (the kernel's
     *            {@code smp_processor_id} is a register read; the emulator's is a thread-local)
     * @param page the new page (its head, for a compound page), refcount 1
     * @param gfp the caller's gfp mask
     * @param order the allocation order
     * @return false to fail the allocation: the allocator frees the page and returns null
     */
    boolean postAlloc(Cpu cpu, Page page, int gfp, int order);
}
