package org.mmemu.it.scenarios;

import org.mmemu.core.rcu.Rcu;
import org.mmemu.it.walk.ChargeRules;
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
        return k.cgroupfs().readLong(cgroup + "/memory.current") - ChargeRules.of(k.era()).clonePageBytes(k, cgroup);
    }
}
