package org.mmemu.core.rcu;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.sched.Cpus;

/**
 * At quiescence no CPU may still be inside {@code rcu_read_lock} (a missing unlock would stall
 * every later grace period), and no callback may still wait for a grace period: whatever it
 * frees would otherwise show up as a leak with no explanation. The emulated RCU never ends a
 * grace period by itself, so a test that defers frees ends with {@link Rcu#rcuBarrier()}.
 */
public final class RcuCheck implements ConsistencyCheck {
    private final Rcu rcu;
    private final Cpus cpus;

    @Inject
    public RcuCheck(Rcu rcu, Cpus cpus) {
        this.rcu = rcu;
        this.cpus = cpus;
    }

    @Override
    public String name() {
        return "rcu";
    }

    @Override
    public List<String> check() {
        List<String> problems = new ArrayList<>();
        for (int id = 0; id < cpus.nrCpus(); id++) {
            int depth = cpus.cpu(id).rcuReadDepth();
            if (depth != 0) {
                problems.add("cpu" + id + " is still inside rcu_read_lock (depth " + depth
                        + "): an rcuReadUnlock() is missing");
            }
        }
        int pending = rcu.pendingCallbacks();
        if (pending != 0) {
            problems.add(pending + " RCU callback(s) never ran: end the test with rcuBarrier()"
                    + " (the emulated RCU ends grace periods only when asked)");
        }
        return problems;
    }
}
