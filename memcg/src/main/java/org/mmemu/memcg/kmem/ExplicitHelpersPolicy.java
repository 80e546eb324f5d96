package org.mmemu.memcg.kmem;

import com.google.inject.Inject;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * {@code kmem.ExplicitHelpers} (4.6, 4.7): only {@code alloc_kmem_pages} charges and only
 * {@code free_kmem_pages} uncharges; the page is marked by nothing but its
 * {@code page->mem_cgroup}. The generic paths know nothing of kmem, so a charged page freed
 * another way goes wrong exactly as in the kernel:
 * <ul>
 *   <li>dropped with {@code put_page}, {@code mem_cgroup_uncharge} takes it for a file page:
 *       memory is uncharged but the v1 {@code kmem} counter (and {@code MEMCG_KMEM}) never is,
 *       and the never-incremented file statistic is decremented;</li>
 *   <li>freed with {@code __free_pages}, nothing uncharges it: the free check reports "page still
 *       charged to cgroup" and the page leaks with its charge and its css reference.</li>
 * </ul>
 */
public final class ExplicitHelpersPolicy extends MemcgPointerPolicy {
    public static final String NAME = "kmem.ExplicitHelpers";

    @Inject
    ExplicitHelpersPolicy(KmemServices services) {
        super(services);
    }

    @Override
    public String policyName() {
        return NAME;
    }

    @Override
    public boolean chargesInAllocator() {
        return false;
    }

    @Override
    public boolean isKmemPage(Page page) {
        return page.memcgData() != 0;
    }

    @Override
    void mark(Page page, MemCgroup memcg) {
        page.setMemcgData(memcg.address());
    }

    @Override
    void unmark(Page page) {
        page.setMemcgData(0);
    }

    /** {@code uncharge_list} of 4.6: a page that is not PageAnon is a file page. */
    @Override
    void unchargeReleased(MemCgroup memcg, int nrPages, boolean kmem) {
        s.unchargeReleased(memcg, nrPages, false);
        memcg.stats().mod(MemcgStatItem.NR_FILE_PAGES, -nrPages);
    }
}
