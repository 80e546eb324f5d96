package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.junit.Eras;

/**
 * Issue 14's pipe scenarios through the facade: who is charged for a pipe's pages, and when the
 * charge goes, measured in memory.current as the pipe runs.
 */
class TaskPipeChargeTest {
    private static final int SIZE = 64 * 1024;
    private static final int PAGES = SIZE / MemMap.PAGE_SIZE;

    private static byte[] data() {
        byte[] b = new byte[SIZE];
        new Random(14).nextBytes(b);
        return b;
    }

    private static long current(Kernel k, String cgroup) {
        k.drainAllStock();
        return k.cgroupfs().readLong(cgroup + "/memory.current");
    }

    @Eras(from = Era.V4_8)
    void aReaderInAnotherCgroupUnchargesTheWriter(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task writer = k.spawn("/a");
        long beforePipe = current(k, "/a");
        int[] p = writer.pipe();
        Task reader = writer.fork();
        reader.moveTo("/b");
        long a0 = current(k, "/a");
        long b0 = current(k, "/b");

        assertThat(writer.write(p[1], data())).isEqualTo(SIZE);
        assertThat(current(k, "/a") - a0).isEqualTo((long) PAGES * MemMap.PAGE_SIZE);

        assertThat(reader.read(p[0], SIZE)).isEqualTo(data());
        assertThat(current(k, "/a")).as("the spare tmp_page stays charged to the writer")
                .isEqualTo(a0 + MemMap.PAGE_SIZE);
        assertThat(current(k, "/b")).isEqualTo(b0);

        writer.close(p[0]);
        writer.close(p[1]);
        reader.exit();
        assertThat(current(k, "/a")).isEqualTo(beforePipe);
    }

    @Eras(Era.V4_7)
    void pipePagesAreNotChargedIn47(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task writer = k.spawn("/a");
        int[] p = writer.pipe();
        long a0 = current(k, "/a");

        assertThat(writer.write(p[1], data())).isEqualTo(SIZE);

        assertThat(current(k, "/a")).as("the escape: 64 KiB of kernel memory, uncharged").isEqualTo(a0);
        assertThat(writer.read(p[0], SIZE)).isEqualTo(data());
    }

    @Eras(from = Era.V4_8)
    void teedPagesStayChargedToTheFirstWriterUntilTheLastPipeLetsGo(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task a = k.spawn("/a");
        long beforePipe = current(k, "/a");
        int[] pa = a.pipe();
        long pipeObjects = current(k, "/a") - beforePipe;   // pipe_inode_info and ring, from 5.9
        Task b = a.fork();
        b.moveTo("/b");
        int[] pb = b.pipe();
        long a0 = current(k, "/a");
        long b0 = current(k, "/b");
        assertThat(a.write(pa[1], data())).isEqualTo(SIZE);

        assertThat(b.tee(pa[0], pb[1], SIZE)).isEqualTo(SIZE);
        assertThat(current(k, "/b")).as("tee copies nothing and charges nothing").isEqualTo(b0);
        a.close(pa[0]);
        a.close(pa[1]);
        b.close(pa[0]);
        b.close(pa[1]);
        assertThat(current(k, "/a")).as("A's pipe is gone (its objects uncharged), its pages are not")
                .isEqualTo(a0 - pipeObjects + (long) PAGES * MemMap.PAGE_SIZE);

        assertThat(b.read(pb[0], SIZE)).isEqualTo(data());
        assertThat(current(k, "/a")).as("B's pipe keeps the last page as its spare")
                .isEqualTo(a0 - pipeObjects + MemMap.PAGE_SIZE);
        assertThat(current(k, "/b")).isEqualTo(b0);
        b.close(pb[0]);
        b.close(pb[1]);
        assertThat(current(k, "/a")).isEqualTo(a0 - pipeObjects);
    }
}
