package org.mmemu.memcg.kmem;

import com.google.inject.Inject;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;

/**
 * {@code kmem.MemcgDataFlag} (5.11, Gushchin's series): charged like {@code kmem.PageType},
 * but the page is marked by {@code memcg_data = memcg | MEMCG_DATA_KMEM}; {@code _mapcount} is
 * left alone, so kmem pages can be mapped to user space. The free path's uncharge goes through
 * the freeing CPU's stock.
 */
public final class MemcgDataFlagPolicy extends MemcgPointerPolicy {
    public static final String NAME = "kmem.MemcgDataFlag";

    @Inject
    MemcgDataFlagPolicy(KmemServices services) {
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
        return s.data.pageMemcgKmem(page);
    }

    @Override
    void mark(Page page, MemCgroup memcg) {
        page.setMemcgData(MemcgData.kmemData(memcg.address()));
    }

    @Override
    void unmark(Page page) {
        page.setMemcgData(0);
    }
}
