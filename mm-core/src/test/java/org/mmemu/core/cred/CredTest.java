package org.mmemu.core.cred;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.Fork;
import org.mmemu.core.sched.TaskStruct;

/** Credentials, user_structs and capabilities (kernel/cred.c, kernel/user.c, kernel/capability.c). */
class CredTest {
    private final Machine m = Machine.boot();
    private final Creds creds = m.injector.getInstance(Creds.class);
    private final UserStructs users = m.injector.getInstance(UserStructs.class);
    private final Exit exit = m.injector.getInstance(Exit.class);

    @AfterEach
    void consistent() {
        m.tasks.tasks().forEach(exit::doExit);
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    @Test
    void rootHasEveryCapabilityTheTenantsCheck() {
        TaskStruct root = m.tasks.create("init", null);
        assertThat(root.cred().uid()).isZero();
        assertThat(root.cred().user()).isSameAs(users.rootUser());
        for (int cap : new int[] {Capability.CAP_SYS_RESOURCE, Capability.CAP_IPC_LOCK, Capability.CAP_SYS_ADMIN}) {
            assertThat(creds.hasCapability(root, cap)).isTrue();
            try (var running = m.tasks.enter(root)) {
                assertThat(creds.capable(cap)).as("capable() asks current").isTrue();
            }
        }
    }

    @Test
    void setuidToAnotherUserDropsTheCapabilities() {
        TaskStruct t = m.tasks.create("daemon", null);
        assertThat(creds.setuid(t, 1000)).isZero();

        assertThat(t.cred().uid()).isEqualTo(1000);
        assertThat(t.cred().user().uid()).isEqualTo(1000);
        try (var running = m.tasks.enter(t)) {
            assertThat(creds.capable(Capability.CAP_SYS_RESOURCE)).isFalse();
            assertThat(creds.capable(Capability.CAP_IPC_LOCK)).isFalse();
            assertThat(creds.capable(Capability.CAP_SYS_ADMIN)).isFalse();
        }
        assertThat(creds.setuid(t, 0)).as("no CAP_SETUID any more").isEqualTo(Errno.EPERM.negative());
        assertThat(creds.setuid(t, 1000)).as("its own uid").isZero();
        assertThat(creds.setuid(t, -1)).isEqualTo(Errno.EINVAL.negative());
    }

    @Test
    void tasksOfOneUidShareItsUserStructUntilTheLastExits() {
        TaskStruct a = m.tasks.create("a", null);
        TaskStruct b = m.tasks.create("b", null);
        creds.setuid(a, 1000);
        creds.setuid(b, 1000);
        UserStruct user = a.cred().user();
        assertThat(b.cred().user()).isSameAs(user);
        assertThat(user.count()).isEqualTo(2);
        TaskStruct child = m.injector.getInstance(Fork.class).copyProcess(a);
        assertThat(child.cred().user()).isSameAs(user);

        assertThat(user.chargeLockedVm(10, 16)).isTrue();
        exit.doExit(a);
        exit.doExit(b);
        assertThat(users.findUser(1000)).as("the child still runs as 1000").isSameAs(user);
        exit.doExit(child);

        assertThat(users.findUser(1000)).isNull();
        creds.setuid(m.tasks.create("c", null), 1000);
        assertThat(users.findUser(1000).lockedVm()).as("a new user_struct starts from zero").isZero();
    }

    @Test
    void lockedVmIsChargedUpToTheLimit() {
        UserStruct user = users.allocUid(1000);
        assertThat(user.chargeLockedVm(12, 16)).isTrue();
        assertThat(user.chargeLockedVm(5, 16)).as("over the limit").isFalse();
        assertThat(user.lockedVm()).as("the failed charge is taken back").isEqualTo(12);
        assertThat(user.chargeLockedVm(4, 16)).isTrue();
        user.unchargeLockedVm(16);
        assertThat(user.lockedVm()).isZero();
        users.freeUid(user);
    }

    @Test
    void pipeBuffersAreAccountedAsThePipeResizes() {
        UserStruct user = users.allocUid(1000);
        assertThat(user.accountPipeBuffers(0, 16)).isEqualTo(16);
        assertThat(user.accountPipeBuffers(0, 16)).as("a second pipe").isEqualTo(32);
        assertThat(user.accountPipeBuffers(16, 1)).as("F_SETPIPE_SZ shrank one").isEqualTo(17);
        assertThat(user.pipeBufs()).isEqualTo(17);
        users.freeUid(user);
    }
}
