package org.mmemu.core.rcu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;

class RcuCheckTest {
    private final Machine m = Machine.boot();
    private final Rcu rcu = m.injector.getInstance(Rcu.class);
    private final RcuCheck check = m.injector.getInstance(RcuCheck.class);

    @Test
    void aQuietMachinePasses() {
        rcu.rcuReadLock();
        rcu.rcuReadUnlock();
        rcu.callRcu(() -> { });
        rcu.rcuBarrier();
        assertThat(check.check()).isEmpty();
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    @Test
    void aMissingUnlockIsNamedWithItsCpu() {
        rcu.rcuReadLock();
        rcu.rcuReadLock();
        int cpu = m.cpus.current().id();
        assertThat(check.check()).containsExactly("cpu" + cpu
                + " is still inside rcu_read_lock (depth 2): an rcuReadUnlock() is missing");
        rcu.rcuReadUnlock();
        rcu.rcuReadUnlock();
        assertThat(check.check()).isEmpty();
    }

    @Test
    void callbacksThatNeverRanAreReportedBeforeTheLeaksTheyCause() {
        var page = m.alloc.allocPage(org.mmemu.core.page.Gfp.GFP_KERNEL);
        rcu.callRcu(() -> m.alloc.freePage(page));
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run())
                .first().asString().startsWith("rcu: 1 RCU callback(s) never ran");
        rcu.rcuBarrier();
        assertThat(check.check()).isEmpty();
        assertThat(m.leakedPages()).isZero();
    }
}
