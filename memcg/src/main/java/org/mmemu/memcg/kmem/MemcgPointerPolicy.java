package org.mmemu.memcg.kmem;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;

/**
 * The designs up to 5.11, in which a kmem page points straight at its {@code mem_cgroup} and
 * holds a css reference on it, so a removed cgroup stays DYING while any of its kmem pages
 * lives. Subclasses say how the page is marked as kmem.
 */
abstract class MemcgPointerPolicy implements KmemAccountingPolicy {
    protected final KmemServices s;

    MemcgPointerPolicy(KmemServices services) {
        this.s = services;
    }

    /** Stores the charged memcg (and the mark) in the page. */
    abstract void mark(Page page, MemCgroup memcg);

    /** Clears memcg_data and the mark. */
    abstract void unmark(Page page);

    @Override
    public int chargePage(Cpu cpu, Page page, int gfp, int order) {
        MemCgroup memcg = s.current.getMemCgroupFromCurrent(cpu);
        if (memcg == null) {
            return 0;
        }
        if (memcg.isRoot()) {
            memcg.cssPut(cpu, 1);
            return 0;
        }
        int ret = s.charger.kmemCharge(cpu, memcg, gfp, 1 << order);
        if (ret != 0) {
            memcg.cssPut(cpu, 1);
            return ret;
        }
        mark(page, memcg);
        return 0;
    }

    @Override
    public void unchargePage(Cpu cpu, Page page, int order) {
        if (!isKmemPage(page)) {
            return;
        }
        MemCgroup memcg = memcgOf(page);
        if (memcg == null) {
            return;
        }
        if (memcg.isRoot()) {
            throw s.types.bug(page, "mem_cgroup_is_root(memcg)");
        }
        s.charger.kmemUncharge(cpu, memcg, 1 << order);
        unmark(page);
        memcg.cssPut(cpu, 1);
    }

    @Override
    public void release(Page page, int nrPages) {
        MemCgroup memcg = memcgOf(page);
        if (memcg == null) {
            return;
        }
        boolean kmem = isKmemPage(page);
        unmark(page);
        unchargeReleased(memcg, nrPages, kmem);
        memcg.cssPut(1);
    }

    /** The {@code uncharge_batch} of a released page. */
    void unchargeReleased(MemCgroup memcg, int nrPages, boolean kmem) {
        s.unchargeReleased(memcg, nrPages, kmem);
    }

    /** {@code page->mem_cgroup}: the address with no flags, decoded (KASAN if freed). */
    MemCgroup memcgOf(Page page) {
        long address = page.memcgData() & ~MemcgData.MEMCG_DATA_FLAGS_MASK;
        return address == 0 ? null : s.data.memcgAt(address);
    }
}
