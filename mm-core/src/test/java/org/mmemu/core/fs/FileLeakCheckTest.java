package org.mmemu.core.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;

/** A file whose count never reached zero after every task closed its fds is reported. */
class FileLeakCheckTest {
    private final Machine m = Machine.boot();
    private final CountingOperations ops = new CountingOperations();
    private final Exit exit = m.injector.getInstance(Exit.class);

    private File open(TaskStruct t, String name) {
        int fd = t.files().getUnusedFd(t.rlimit(Rlimits.RLIMIT_NOFILE));
        File f = ops.open(name);
        t.files().fdInstall(fd, f);
        return f;
    }

    private List<String> check() {
        return m.injector.getInstance(ConsistencyChecks.class).run();
    }

    @Test
    void aFileReleasedByTheLastExitIsNoLeak() {
        TaskStruct t = m.tasks.create("t", null);
        open(t, "pipe");
        exit.doExit(t);
        assertThat(check()).isEmpty();
    }

    @Test
    void anFgetWithoutItsFputLeaksTheFile() {
        TaskStruct t = m.tasks.create("t", null);
        File f = open(t, "pipe");
        f.get();
        assertThat(check()).as("the task's fd may hold it").isEmpty();

        exit.doExit(t);

        assertThat(check()).singleElement().asString()
                .startsWith("file leak: file(pipe) still has 1 reference(s) after every fd was closed");
        f.put();
        assertThat(check()).isEmpty();
    }
}
