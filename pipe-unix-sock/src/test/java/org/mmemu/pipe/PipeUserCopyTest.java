package org.mmemu.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.fs.File;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.UserCopy;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.slab.SlabModule;

/** read(2) and write(2) of a pipe: copy_from_user / copy_to_user through the task's page tables. */
class PipeUserCopyTest {
    private static final int PAGE = MemMap.PAGE_SIZE;

    @Test
    void bytesGoThroughUserBuffersAndAFaultIsEfault() {
        TestMachine m = TestMachine.boot(MemoryConfig.of("64M"), new SlabModule(), new PipeModule());
        TaskStruct t = m.tasks().create("t", null);
        PipeFiles files = m.get(PipeFiles.class);
        UserCopy user = m.get(UserCopy.class);
        AddressSpaces spaces = m.get(AddressSpaces.class);
        byte[] hello = "hello across a page".getBytes(StandardCharsets.US_ASCII);
        try (var running = m.tasks().enter(t)) {
            MmStruct mm = spaces.mmAlloc();
            t.setMm(mm);
            long rw = spaces.mmapAnonymous(mm, 0, 2 * PAGE, VM_READ | VM_WRITE);
            long ro = spaces.mmapAnonymous(mm, 0, PAGE, VM_READ);
            int[] fds = files.doPipe2();
            File read = t.files().fget(fds[0]);
            File write = t.files().fget(fds[1]);
            long src = rw + PAGE - 5;
            assertThat(user.copyToUser(src, hello, 0, hello.length)).isZero();

            assertThat(write.operations().write(write, src, hello.length)).isEqualTo(hello.length);
            assertThat(write.operations().write(write, 0x1000, 1)).as("nothing mapped there")
                    .isEqualTo(Errno.EFAULT.negative());
            assertThat(read.operations().read(read, ro, 1)).as("a read-only buffer")
                    .isEqualTo(Errno.EFAULT.negative());
            long dst = rw + 3;
            assertThat(read.operations().read(read, dst, 100)).isEqualTo(hello.length);

            byte[] back = new byte[hello.length];
            assertThat(user.copyFromUser(back, 0, dst, hello.length)).isZero();
            assertThat(back).isEqualTo(hello);
            read.put();
            write.put();
        }
        m.get(Exit.class).doExit(t);
        m.verify();
    }
}
