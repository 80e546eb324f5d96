package org.mmemu.it.walk;

import org.mmemu.kernel.Kernel;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemoryStat;

/**
 * The counters a walk must leave as the boot left them: the root's page counters and
 * statistics, its live and dying descendants, the processes. Read with the stocks drained and
 * RCU idle.
 */
public record BootState(String text) {
    /** The state of {@code k} now. */
    public static BootState of(Kernel k) {
        return of(k, 0);
    }

    /**
     * The state of {@code k} now, but for {@code pinned} dying cgroups that something the test
     * accounts for itself still pins (see {@code ChargeStock.dyingPinnedByEmptyStocks}).
     */
    public static BootState of(Kernel k, int pinned) {
        MemCgroup root = k.get(CgroupTree.class).root();
        return new BootState("memory " + root.memory().read() + ", kmem " + root.kmem().read()
                + ", cgroups " + root.nrDescendants() + " (" + (root.nrDyingDescendants() - pinned) + " dying)"
                + ", tasks " + k.tasks().size() + "\n" + k.get(MemoryStat.class).show(root));
    }
}
