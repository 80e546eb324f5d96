package org.mmemu.core.fs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.cred.Prlimit;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;

/** anon_inode_getfd: a file in current's lowest free fd, within its RLIMIT_NOFILE. */
class FdAnonInodeTest {
    private final Machine m = Machine.boot();
    private final AnonInodes anon = m.injector.getInstance(AnonInodes.class);
    private final CountingOperations ops = new CountingOperations();

    @AfterEach
    void consistent() {
        m.tasks.tasks().forEach(m.injector.getInstance(Exit.class)::doExit);
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    @Test
    void theFileGoesToCurrentsLowestFreeFdUpToItsLimit() {
        TaskStruct t = m.tasks.create("t", null);
        m.injector.getInstance(Prlimit.class).setrlimit(t, Rlimits.RLIMIT_NOFILE, 2, 2);
        try (var running = m.tasks.enter(t)) {
            assertThat(anon.getfd(ops, "map", File.FMODE_READ)).isZero();
            assertThat(anon.getfd(ops, "map", File.FMODE_READ)).isEqualTo(1);
            assertThat(anon.getfd(ops, "map", File.FMODE_READ)).isEqualTo(Errno.EMFILE.negative());
        }
        File f = t.files().fget(1);
        assertThat(f.count()).as("the table's and ours").isEqualTo(2);
        assertThat(f.privateData()).isEqualTo("map");
        f.put();
        assertThat(t.files().closeFd(1)).isZero();
        assertThat(ops.released).containsExactly(f);
    }

    @Test
    void aKernelThreadHasNoFdTable() {
        try (var running = m.tasks.enter(m.tasks.createKthread("kworker/0:1"))) {
            assertThat(anon.getfd(ops, "map", File.FMODE_READ)).isEqualTo(Errno.EBADF.negative());
        }
    }
}
