package org.mmemu.it.stress;

import java.util.HashSet;
import java.util.Set;
import org.mmemu.kernel.Kernel;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;

/**
 * The removed cgroups that a per-CPU stock holding no pages still pins, read at quiescence:
 * {@code drain_all_stock} drains only stocks that hold pages (mm/memcontrol.c, 5.11 and 6.13.7
 * alike), so a stock emptied by its last charges keeps its css reference on the cgroup it
 * caches until that CPU next refills it for another, and that cgroup keeps its reference on
 * each removed ancestor. The kernel leaves them dying; so does the emulator.
 */
final class EmptyStockPins {
    private EmptyStockPins() {
    }

    /** The cgroups so pinned, each removed ancestor of a cached one with it. */
    static Set<MemCgroup> of(Kernel k) {
        ChargeStock stock = k.get(MemcgCharger.class).stock();
        Set<MemCgroup> pinned = new HashSet<>();
        for (int cpu = 0; cpu < stock.nrStocks(); cpu++) {
            MemCgroup cached = stock.cachedMemcg(cpu);
            if (cached != null && stock.stockedPages(cpu) == 0) {
                for (MemCgroup m = cached; m != null && !m.isOnline(); m = m.parent()) {
                    pinned.add(m);
                }
            }
        }
        return pinned;
    }
}
