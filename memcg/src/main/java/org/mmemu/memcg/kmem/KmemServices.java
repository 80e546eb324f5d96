package org.mmemu.memcg.kmem;

import com.google.inject.Inject;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.CurrentMemcg;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.ObjCgroups;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * What every kmem policy needs from the rest of memcg, bundled so the policies stay small, plus
 * the steps they share: {@code uncharge_batch} for a page released through {@code put_page}.
 */
public final class KmemServices {
    final Cpus cpus;
    final CurrentMemcg current;
    final MemcgCharger charger;
    final MemcgData data;
    final ObjCgroups objcgs;
    final PageTypes types;
    final boolean v1Kmem;

    @Inject
    KmemServices(Cpus cpus, CurrentMemcg current, MemcgCharger charger, MemcgData data,
                 ObjCgroups objcgs, PageTypes types, MemcgConfig config) {
        this.cpus = cpus;
        this.current = current;
        this.charger = charger;
        this.data = data;
        this.objcgs = objcgs;
        this.types = types;
        this.v1Kmem = config.v1KmemCounter();
    }

    /**
     * {@code uncharge_batch} for one released page: always straight to the page counters (never
     * the stock), with the kmem accounting when the page was kmem. A kmem page is uncharged
     * even from the root, which only an obj_cgroup reparented there can have charged.
     */
    void unchargeReleased(MemCgroup memcg, int nrPages, boolean kmem) {
        if (!kmem) {
            charger.uncharge(memcg, nrPages);
            return;
        }
        memcg.memory().uncharge(nrPages);
        if (v1Kmem) {
            memcg.kmem().uncharge(nrPages);
        }
        memcg.stats().mod(MemcgStatItem.MEMCG_KMEM, -nrPages);
    }
}
