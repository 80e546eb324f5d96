package org.mmemu.it.walk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.net.SocketType;

/**
 * An rmdir whose offline ends grace periods (4.8's clone deactivation,
 * {@link ChargeRules#offlineEndsGracePeriods}) frees a closed map that waited for one, and the
 * walk's model frees it there too: the exact census after the drain holds in every era. The
 * creator's sends and socketpair give its cgroup cache clones; its exit closes the map.
 */
class OfflineGracePeriodTest {
    private static final String CGROUP = World.TOP + "/b";

    @Eras(memory = RandomWalkTest.MEMORY)
    void aRmdirFreesTheClosedMapWhereTheOfflineEndsAGracePeriod(Kernel k) {
        Rcu rcu = k.get(Rcu.class);
        long[] before = new long[1];
        Action beforeRmdir = w -> {
            assertThat(rcu.pendingCallbacks()).as("the closed map waits for a grace period").isPositive();
            before[0] = rcu.completedGracePeriods();
        };
        Action afterRmdir = w -> assertThat(rcu.completedGracePeriods() > before[0])
                .as("whether the rmdir ended a grace period").isEqualTo(w.m.rules.offlineEndsGracePeriods());
        List<Action> actions = List.of(new Mkdir(CGROUP), new Spawn("t0", CGROUP),
                new SocketPairCreate(SocketType.DGRAM, "t0", "s1"), new SocketSend("t0", "s1", 0, 2068),
                new SocketSend("t0", "s1", 0, 1764),
                new BpfMapCreate(ModelBpfMap.Kind.ARRAY, "t0", "m2", Integer.BYTES, 372, 47), new Exit("t0"),
                beforeRmdir, new Rmdir(CGROUP), afterRmdir, new Drain());

        assertThat(Walk.replay(k, WalkRunner.quiesce(k), actions)).as("the walk's failure").isNull();
    }
}
