package org.mmemu.core.alloc;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;

/**
 * Called from {@code free_pages_prepare} before the free-time checks, where 4.8 put
 * {@code memcg_kmem_uncharge}: every path that returns pages to the buddy runs it, whoever
 * frees the page. Runs only while {@link PageHooks#freeKey()} is on.
 */
@FunctionalInterface
public interface PageFreeHook {
    /**
     * @param cpu the calling thread's CPU, looked up already by the free path
     * @param page the page (head of the block) about to be checked and freed
     * @param order the block's order
     */
    void freePagesPrepare(Cpu cpu, Page page, int order);
}
