package org.mmemu.memcg;

import com.google.inject.Inject;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.sched.Cpu;

/**
 * Whole slab pages charged to a given memcg, the accounting of per-cgroup cache clones up to
 * 5.8 ({@code memcg_kmem_charge_memcg} / {@code memcg_kmem_uncharge} of 4.8 and 4.18, through
 * mm/slab.h's {@code memcg_charge_slab} / {@code memcg_uncharge_slab}): a clone's slab page is
 * charged to the clone's cgroup, not to the allocating task's, and marked by
 * {@code page->mem_cgroup} alone, never {@code PageKmemcg} (its {@code _mapcount} belongs to
 * the slab allocator). The page holds one css reference on the cgroup until it is uncharged, so
 * a removed cgroup stays dying while its clones keep slab pages.
 */
public final class MemcgSlabPages {
    private final MemcgCharger charger;
    private final MemcgData data;
    private final PageTypes types;

    @Inject
    public MemcgSlabPages(MemcgCharger charger, MemcgData data, PageTypes types) {
        this.charger = charger;
        this.data = data;
        this.types = types;
    }

    /**
     * {@code memcg_kmem_charge_memcg(page, gfp, order, memcg)}: charges the {@code 2^order}
     * pages to {@code memcg} and stores it in the page. The root is not charged, but stored.
     *
     * @return 0, or {@code -ENOMEM}: the slab frees the page and the allocation fails
     */
    public int memcgKmemCharge(Cpu cpu, Page page, int gfp, int order, MemCgroup memcg) {
        int ret = charger.kmemCharge(cpu, memcg, gfp, 1 << order);
        if (ret != 0) {
            return ret;
        }
        memcg.cssGet(cpu, 1);
        page.setMemcgData(memcg.address());
        return 0;
    }

    /**
     * {@code memcg_kmem_uncharge(page, order)}: the page's memcg is uncharged and cleared; a page
     * stored with the root is a {@code VM_BUG_ON_PAGE}, as in 4.8.
     */
    public void memcgKmemUncharge(Cpu cpu, Page page, int order) {
        long memcgData = page.memcgData();
        if (memcgData == 0) {
            return;
        }
        MemCgroup memcg = data.memcgAt(memcgData);
        if (memcg.isRoot()) {
            throw types.bug(page, "mem_cgroup_is_root(memcg)");
        }
        charger.kmemUncharge(cpu, memcg, 1 << order);
        page.setMemcgData(0);
        memcg.cssPut(cpu, 1);
    }

    /**
     * {@code memcg_charge_slab(page, gfp, order, s)} of a clone of {@code memcg}: the charge,
     * then the page's bytes in the cgroup's {@code slab_reclaimable} or
     * {@code slab_unreclaimable} (4.8's {@code memcg_kmem_update_page_stat}; 4.18 counts them
     * with {@code mod_lruvec_page_state} from the slab allocator).
     */
    public int memcgChargeSlab(Cpu cpu, Page page, int gfp, int order, MemcgSlabCache s, MemCgroup memcg) {
        int ret = memcgKmemCharge(cpu, page, gfp, order, memcg);
        if (ret == 0) {
            memcg.stats().mod(cpu, MemcgSlabHooks.vmstatItem(s), (long) MemMap.PAGE_SIZE << order);
        }
        return ret;
    }

    /** {@code memcg_uncharge_slab(page, order, s)}: the statistic, then the uncharge. */
    public void memcgUnchargeSlab(Cpu cpu, Page page, int order, MemcgSlabCache s) {
        long memcgData = page.memcgData();
        if (memcgData == 0) {
            return;
        }
        data.memcgAt(memcgData).stats().mod(cpu, MemcgSlabHooks.vmstatItem(s), -((long) MemMap.PAGE_SIZE << order));
        memcgKmemUncharge(cpu, page, order);
    }
}
