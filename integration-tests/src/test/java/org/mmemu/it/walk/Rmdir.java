package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.rcu.Rcu;

/**
 * {@code rmdir(2)} of a cgroup: {@code EBUSY} while it has tasks or children, {@code ENOENT} if
 * absent; otherwise its charges are counted at its parent from now on, and if its offline ended
 * grace periods (4.8's clone deactivation, {@link ChargeRules#offlineEndsGracePeriods}) what
 * waited for one is freed, as {@link RcuBarrier} frees it.
 */
record Rmdir(String path) implements Action {
    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> new Rmdir(World.anyPath(rnd)));

    @Override
    public void apply(World w) {
        ModelCgroup g = w.m.cgroup(path);
        if (g == null) {
            World.expectErrno(Errno.ENOENT, toString(), () -> w.k.cgroupfs().rmdir(path));
        } else if (g.tasks > 0 || !g.children.isEmpty()) {
            World.expectErrno(Errno.EBUSY, toString(), () -> w.k.cgroupfs().rmdir(path));
        } else {
            Rcu rcu = w.k.get(Rcu.class);
            long gracePeriods = rcu.completedGracePeriods();
            w.k.cgroupfs().rmdir(path);
            w.m.cgroups.remove(path);
            g.remove();
            if (rcu.completedGracePeriods() != gracePeriods) {
                if (!w.m.rules.offlineEndsGracePeriods()) {
                    throw new AssertionError(this + " ended " + (rcu.completedGracePeriods() - gracePeriods)
                            + " grace period(s), which only 4.8's offline does");
                }
                w.m.bpf.gracePeriodsEnded();
                w.m.bpf.syncCaches(w.m);
            }
        }
    }
}
