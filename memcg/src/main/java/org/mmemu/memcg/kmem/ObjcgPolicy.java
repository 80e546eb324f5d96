package org.mmemu.memcg.kmem;

import com.google.inject.Inject;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.ObjCgroup;

/**
 * {@code kmem.Objcg} (latest): a kmem page stores {@code objcg | MEMCG_DATA_KMEM} and holds a
 * reference on the obj_cgroup, not on the memcg. When the cgroup is removed its objcg is
 * reparented, so the page is later uncharged from the parent and the removed cgroup can be
 * released while the page lives on.
 */
public final class ObjcgPolicy implements KmemAccountingPolicy {
    public static final String NAME = "kmem.Objcg";

    private final KmemServices s;

    @Inject
    ObjcgPolicy(KmemServices services) {
        this.s = services;
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
    public int chargePage(Cpu cpu, Page page, int gfp, int order) {
        ObjCgroup objcg = s.objcgs.currentObjcg(cpu);
        if (objcg == null) {
            return 0;
        }
        int ret = s.objcgs.chargePages(cpu, objcg, gfp, 1 << order);
        if (ret != 0) {
            return ret;
        }
        objcg.get(cpu);
        page.setMemcgData(MemcgData.kmemData(objcg.address()));
        return 0;
    }

    @Override
    public void unchargePage(Cpu cpu, Page page, int order) {
        long data = page.memcgData();
        if (!s.data.isKmem(page, data)) {
            return;
        }
        ObjCgroup objcg = objcgAt(data);
        s.objcgs.unchargePages(cpu, objcg, 1 << order);
        page.setMemcgData(0);
        objcg.put(cpu);
    }

    @Override
    public void release(Page page, int nrPages) {
        long data = page.memcgData();
        if (data == 0) {
            return;
        }
        if ((data & MemcgData.MEMCG_DATA_KMEM) != 0) {
            ObjCgroup objcg = objcgAt(data);
            page.setMemcgData(0);
            Cpu cpu = s.cpus.current();
            MemCgroup memcg = objcg.getMemCgroup(cpu);
            s.unchargeReleased(memcg, nrPages, true);
            memcg.cssPut(cpu, 1);
            objcg.put(cpu);
        } else {
            MemCgroup memcg = s.data.pageMemcg(page);
            page.setMemcgData(0);
            s.unchargeReleased(memcg, nrPages, false);
            memcg.cssPut(1);
        }
    }

    /** {@code __folio_objcg}: the obj_cgroup a kmem page's memcg_data names. */
    private ObjCgroup objcgAt(long memcgData) {
        return s.data.objcgAt(memcgData & ~MemcgData.MEMCG_DATA_FLAGS_MASK);
    }
}
