package org.mmemu.it.walk;

import org.mmemu.core.rcu.Rcu;
import org.mmemu.kernel.Kernel;

/**
 * {@code rcu_barrier}: every grace period the walk's frees wait for ends, and the callbacks they
 * queue run too (a map's free trims its {@code bpf_mem_alloc} caches, which queues more); in the
 * model, the maps and elements waiting are freed and uncharged.
 */
record RcuBarrier() implements Action {
    /** Enough rounds for a callback that queues one that queues one. */
    private static final int MAX_ROUNDS = 8;

    static final ActionKind KIND = ActionKind.of(2, (w, rnd) -> new RcuBarrier());

    @Override
    public void apply(World w) {
        settle(w.k);
        w.m.bpf.gracePeriodsEnded();
        w.m.bpf.syncCaches(w.m);
    }

    /** Runs grace periods until no callback is left waiting. */
    static void settle(Kernel k) {
        Rcu rcu = k.get(Rcu.class);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            rcu.rcuBarrier();
            if (rcu.pendingCallbacks() == 0) {
                return;
            }
        }
        throw new AssertionError(rcu.pendingCallbacks() + " RCU callbacks still queued after " + MAX_ROUNDS + " barriers");
    }
}
