package org.mmemu.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.Poll;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.slab.SlabModule;

/** pipe2's files: their fds, pipe_poll, and the pipe freed with the last of them. */
class PipeFilesTest {
    private static int[] pipe2(TestMachine m, TaskStruct t) {
        try (var running = m.tasks().enter(t)) {
            return m.get(PipeFiles.class).doPipe2();
        }
    }

    @Test
    void pollSaysWhatEachEndCanDo() {
        TestMachine m = TestMachine.boot(MemoryConfig.of("64M"), new SlabModule(), new PipeModule());
        TaskStruct t = m.tasks().create("t", new MmStruct());
        PipeFiles files = m.get(PipeFiles.class);
        int[] fds = pipe2(m, t);
        assertThat(fds).containsExactly(0, 1);
        File read = t.files().fget(fds[0]);
        File write = t.files().fget(fds[1]);

        assertThat(files.poll(read)).isZero();
        assertThat(files.poll(write)).isEqualTo(Poll.POLLOUT | Poll.POLLWRNORM);
        files.kernelIo(write, new byte[1], true);
        assertThat(files.poll(read)).isEqualTo(Poll.POLLIN | Poll.POLLRDNORM);
        write.put();
        t.files().closeFd(fds[1]);
        assertThat(files.poll(read)).as("no writer left").isEqualTo(Poll.POLLIN | Poll.POLLRDNORM | Poll.POLLHUP);

        PipeInodeInfo pipe = files.getPipeInfo(read);
        t.files().closeFd(fds[0]);
        assertThat(pipe.ringSize()).as("the fd was not the last reference").isNotZero();
        read.put();
        assertThat(pipe.ringSize()).as("freed with its last file").isZero();

        int[] other = pipe2(m, t);
        File otherWrite = t.files().fget(other[1]);
        t.files().closeFd(other[0]);
        assertThat(files.poll(otherWrite)).as("no reader left").isEqualTo(Poll.POLLOUT | Poll.POLLWRNORM | Poll.POLLERR);
        otherWrite.put();
        m.get(Exit.class).doExit(t);
        m.verify();
    }
}
