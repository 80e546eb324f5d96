package org.mmemu.memcg.kmem;

import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;

import com.google.inject.Inject;
import org.mmemu.core.alloc.PageAllocHook;
import org.mmemu.core.alloc.PageFreeHook;
import org.mmemu.core.alloc.PageReleaseHook;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.sched.Cpu;

/**
 * memcg's calls in the generic page paths, where commit 4949148a put them: the charge at the
 * end of {@code __alloc_pages} for {@code __GFP_ACCOUNT}, the uncharge in
 * {@code free_pages_prepare}, and {@code mem_cgroup_uncharge} on the last {@code put_page}. They
 * run only while {@link KmemStaticKey} has switched mm-core's hook keys on; the allocator-side
 * ones do nothing for a policy that charges only through explicit helpers.
 */
public final class KmemHooks implements PageAllocHook, PageFreeHook, PageReleaseHook {
    private final KmemAccountingPolicy policy;
    private final MemMap memMap;
    private final boolean inAllocator;

    @Inject
    KmemHooks(KmemAccountingPolicy policy, MemMap memMap) {
        this.policy = policy;
        this.memMap = memMap;
        this.inAllocator = policy.chargesInAllocator();
    }

    /** {@code memcg_kmem_charge_page} after a successful allocation. */
    @Override
    public boolean postAlloc(Cpu cpu, Page page, int gfp, int order) {
        if (!inAllocator || (gfp & __GFP_ACCOUNT) == 0) {
            return true;
        }
        return policy.chargePage(cpu, page, gfp, order) == 0;
    }

    /** {@code memcg_kmem_uncharge_page} in {@code free_pages_prepare}. */
    @Override
    public void freePagesPrepare(Cpu cpu, Page page, int order) {
        if (inAllocator) {
            policy.unchargePage(cpu, page, order);
        }
    }

    /** {@code mem_cgroup_uncharge} of a page whose last reference {@code put_page} dropped. */
    @Override
    public void release(Page page) {
        if (page.memcgData() == 0) {
            return;
        }
        int nr = page.testFlag(PageFlags.PG_head) ? 1 << CompoundHead.compoundOrder(memMap, page) : 1;
        policy.release(page, nr);
    }
}
