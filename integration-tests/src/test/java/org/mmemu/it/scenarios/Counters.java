package org.mmemu.it.scenarios;

import org.mmemu.core.rcu.Rcu;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;

/** What the scenarios read of a cgroup once the machine is settled. */
final class Counters {
    private Counters() {
    }

    /**
     * {@code memory.current} after the grace periods and the stocks, less, up to 5.8, the slab
     * pages of the cgroup's cache clones: a clone keeps its emptied slabs, charged, until the
     * cgroup goes offline, so freed objects return to the clone rather than to the counter.
     */
    static long charged(Kernel k, String cgroup) {
        k.get(Rcu.class).rcuBarrier();
        k.drainAllStock();
        long current = k.cgroupfs().readLong(cgroup + "/memory.current");
        if (k.era().compareTo(Era.V5_9) >= 0) {
            return current;
        }
        return current - k.cgroupfs().stat(cgroup, "slab_reclaimable") - k.cgroupfs().stat(cgroup, "slab_unreclaimable");
    }
}
