package org.mmemu.core.cred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.cred.Rlimits.RLIMIT_MEMLOCK;
import static org.mmemu.core.cred.Rlimits.RLIMIT_NOFILE;
import static org.mmemu.core.cred.Rlimits.RLIM_INFINITY;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.Fork;
import org.mmemu.core.sched.TaskStruct;

/** Per-task limits: INIT_RLIMITS of each era, do_prlimit's checks, inheritance on fork, RLIMIT_NOFILE. */
class RlimitTest {
    private static final int EPERM = Errno.EPERM.negative();

    private Machine m = Machine.boot();

    @AfterEach
    void consistent() {
        m.tasks.tasks().forEach(m.injector.getInstance(Exit.class)::doExit);
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    private Prlimit prlimit() {
        return m.injector.getInstance(Prlimit.class);
    }

    @Test
    void theLatestKernelsDefaultsAre8MiBOfMemlockAnd1024Files() {
        TaskStruct t = m.tasks.create("t", null);
        assertThat(t.rlimits().cur(RLIMIT_MEMLOCK)).isEqualTo(8L << 20);
        assertThat(t.rlimits().max(RLIMIT_MEMLOCK)).isEqualTo(8L << 20);
        assertThat(t.rlimits().cur(RLIMIT_NOFILE)).isEqualTo(1024);
        assertThat(t.rlimits().max(RLIMIT_NOFILE)).isEqualTo(4096);
        assertThat(t.rlimits().cur(Rlimits.RLIMIT_STACK)).isEqualTo(8L << 20);
        assertThat(t.rlimits().max(Rlimits.RLIMIT_STACK)).isEqualTo(RLIM_INFINITY);
    }

    @ParameterizedTest
    @EnumSource(InitRlimits.Eras.class)
    void eachEraHasItsMemlockDefault(InitRlimits.Eras era) {
        m = Machine.boot(b -> PolicyBinder.policyBinder(b, InitRlimits.class).select(era.policyName()));
        TaskStruct t = m.tasks.create("t", null);
        long expected = era == InitRlimits.Eras.MLOCK_64K ? 64 * 1024 : 8 * 1024 * 1024;
        assertThat(t.rlimit(RLIMIT_MEMLOCK)).isEqualTo(expected);
        assertThat(m.tasks.createKthread("k").rlimit(RLIMIT_MEMLOCK)).isEqualTo(expected);
    }

    @Test
    void limitsAreCopiedOnFork() {
        TaskStruct parent = m.tasks.create("parent", null);
        assertThat(prlimit().setrlimit(parent, RLIMIT_MEMLOCK, 4096, 8192)).isZero();
        TaskStruct child = m.injector.getInstance(Fork.class).copyProcess(parent);

        assertThat(child.rlimits().cur(RLIMIT_MEMLOCK)).isEqualTo(4096);
        assertThat(child.rlimits().max(RLIMIT_MEMLOCK)).isEqualTo(8192);
        prlimit().setrlimit(child, RLIMIT_MEMLOCK, 0, 0);
        assertThat(parent.rlimit(RLIMIT_MEMLOCK)).as("a copy, not shared").isEqualTo(4096);
    }

    @Test
    void prlimitChecksAsTheKernel() {
        TaskStruct t = m.tasks.create("t", null);
        assertThat(prlimit().setrlimit(t, RLIMIT_NOFILE, 10, 5)).as("soft above hard").isEqualTo(Errno.EINVAL.negative());
        assertThat(prlimit().setrlimit(t, Rlimits.RLIM_NLIMITS, 1, 1)).isEqualTo(Errno.EINVAL.negative());
        assertThat(prlimit().setrlimit(t, RLIMIT_NOFILE, 1, Prlimit.NR_OPEN + 1)).as("above nr_open").isEqualTo(EPERM);
        assertThat(prlimit().setrlimit(t, RLIMIT_MEMLOCK, RLIM_INFINITY, RLIM_INFINITY)).as("root may raise").isZero();
        assertThat(t.rlimit(RLIMIT_MEMLOCK)).isEqualTo(RLIM_INFINITY);

        TaskStruct user = m.tasks.create("user", null);
        m.injector.getInstance(Creds.class).setuid(user, 1000);
        try (var running = m.tasks.enter(user)) {
            assertThat(prlimit().setrlimit(user, RLIMIT_MEMLOCK, 4096, 4096)).as("lowering").isZero();
            assertThat(prlimit().setrlimit(user, RLIMIT_MEMLOCK, 4096, 8192)).as("raising the hard limit").isEqualTo(EPERM);
            assertThat(prlimit().setrlimit(user, RLIMIT_MEMLOCK, 2048, 4096)).as("the soft one under it").isZero();
        }
        assertThat(user.rlimits().max(RLIMIT_MEMLOCK)).isEqualTo(4096);
    }

    @Test
    void anotherUsersLimitsNeedCapSysResource() {
        Creds creds = m.injector.getInstance(Creds.class);
        TaskStruct mine = m.tasks.create("mine", null);
        TaskStruct theirs = m.tasks.create("theirs", null);
        TaskStruct root = m.tasks.create("root", null);
        creds.setuid(mine, 1000);
        creds.setuid(theirs, 1001);
        try (var running = m.tasks.enter(mine)) {
            assertThat(prlimit().setrlimit(theirs, RLIMIT_NOFILE, 10, 10)).isEqualTo(EPERM);
        }
        try (var running = m.tasks.enter(root)) {
            assertThat(prlimit().setrlimit(theirs, RLIMIT_NOFILE, 10, 10)).isZero();
        }
        assertThat(theirs.rlimit(RLIMIT_NOFILE)).isEqualTo(10);
    }

    @Test
    void theNofileLimitIsWhereFdsRunOut() {
        TaskStruct t = m.tasks.create("t", null);
        prlimit().setrlimit(t, RLIMIT_NOFILE, 2, 2);
        FilesStruct files = t.files();
        assertThat(files.getUnusedFd(t.rlimit(RLIMIT_NOFILE))).isZero();
        assertThat(files.getUnusedFd(t.rlimit(RLIMIT_NOFILE))).isEqualTo(1);
        assertThat(files.getUnusedFd(t.rlimit(RLIMIT_NOFILE))).isEqualTo(Errno.EMFILE.negative());
        files.putUnusedFd(0);
        files.putUnusedFd(1);
    }
}
