package org.mmemu.memcg.kmem;

import com.google.inject.Inject;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.memcg.MemCgroup;

/**
 * {@code kmem.PageType} (4.8 to 5.10, commit 4949148a): {@code __GFP_ACCOUNT} allocations are
 * charged at the end of the page allocator and marked {@code PageKmemcg} in {@code _mapcount}
 * (the value -512 or the cleared bit 0x200, whichever the machine's
 * {@link org.mmemu.core.page.PageTypeEncoding} says), with {@code page->mem_cgroup} set.
 * Whichever path frees the page uncharges it exactly once: {@code put_page}'s
 * {@code mem_cgroup_uncharge} clears the type and the pointer before {@code free_pages_prepare}
 * looks, and {@code __free_pages} uncharges in {@code free_pages_prepare}. Needs an encoding
 * that has the Kmemcg type ({@code pagetype.Value48}, {@code Bits418}, {@code Bits50}).
 */
public final class PageTypePolicy extends MemcgPointerPolicy {
    public static final String NAME = "kmem.PageType";

    @Inject
    PageTypePolicy(KmemServices services) {
        super(services);
    }

    @Override
    public String policyName() {
        return NAME;
    }

    @Override
    public boolean chargesInAllocator() {
        return true;
    }

    @Override
    public boolean isKmemPage(Page page) {
        return s.types.has(page, PageType.KMEMCG);
    }

    @Override
    void mark(Page page, MemCgroup memcg) {
        page.setMemcgData(memcg.address());
        s.types.set(page, PageType.KMEMCG);
    }

    @Override
    void unmark(Page page) {
        page.setMemcgData(0);
        // slab pages charged through memcg_charge_slab carry no PageKmemcg.
        if (isKmemPage(page)) {
            s.types.clear(page, PageType.KMEMCG);
        }
    }
}
