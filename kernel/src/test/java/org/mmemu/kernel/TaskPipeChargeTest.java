package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.MemcgCharger;

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

    /**
     * Where a pipe page's charge goes depends on how it is freed. A buffer's page goes with
     * {@code put_page}, whose {@code mem_cgroup_uncharge} ({@code uncharge_batch}) gives it back
     * to the counters at once in every era: the reader's CPU stock plays no part. The spare
     * {@code tmp_page} goes with {@code __free_page} in {@code free_pipe_info}, through
     * {@code __memcg_kmem_uncharge_page}, which from 5.11 refills the freeing CPU's stock: when
     * a reader on CPU 1 closes the pipe last, the writer's memory.current keeps that page until
     * a drain (or until CPU 1's stock passes a batch).
     */
    @Eras(from = Era.V5_11, memory = "64M")
    void fromFiveElevenTheLastCloserOnAnotherCpuUnchargesTheSparePageThroughItsStock(Kernel k) {
        int[] p = new int[2];
        Task[] ends = pipeOfWriterInAAndReaderInB(k, p);
        CpuThread cpu1 = readOnCpu1AndWriterCloses(k, ends, p);
        long beforeClose = k.cgroupfs().readLong("/a/memory.current");

        cpu1.runAndWait(() -> closeBoth(ends[1], p));

        ChargeStock stock = k.get(MemcgCharger.class).stock();
        assertThat(k.cgroupfs().readLong("/a/memory.current")).as("no drop before a drain").isEqualTo(beforeClose);
        assertThat(stock.cachedMemcg(1)).isSameAs(k.get(CgroupTree.class).lookup("/a"));
        assertThat(stock.stockedPages(1)).as("the tmp_page's charge").isEqualTo(1);
        cpu1.finish();
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/a/memory.current")).isLessThanOrEqualTo(beforeClose - MemMap.PAGE_SIZE);
    }

    @Eras(value = {Era.V4_8, Era.V4_18, Era.V5_9, Era.V5_10}, memory = "64M")
    void untilFiveTenTheLastCloserOnAnotherCpuUnchargesTheSparePageAtOnce(Kernel k) {
        int[] p = new int[2];
        Task[] ends = pipeOfWriterInAAndReaderInB(k, p);
        CpuThread cpu1 = readOnCpu1AndWriterCloses(k, ends, p);
        long beforeClose = k.cgroupfs().readLong("/a/memory.current");

        cpu1.runAndWait(() -> closeBoth(ends[1], p));

        assertThat(k.cgroupfs().readLong("/a/memory.current")).as("uncharged straight from the counter")
                .isLessThanOrEqualTo(beforeClose - MemMap.PAGE_SIZE);
        assertThat(k.get(MemcgCharger.class).stock().stockedPages(1)).isZero();
        cpu1.finish();
    }

    /**
     * The writer writes 64 KiB; the reader reads them on CPU 1's thread, which stays bound (its
     * stock kept, as an online CPU's is) until the caller finishes it; the writer closes its
     * fds, leaving the reader the pipe's last holder.
     */
    private static CpuThread readOnCpu1AndWriterCloses(Kernel k, Task[] ends, int[] p) {
        assertThat(ends[0].write(p[1], data())).isEqualTo(SIZE);
        long written = k.cgroupfs().readLong("/a/memory.current");
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        byte[][] read = new byte[1][];

        cpu1.runAndWait(() -> read[0] = ends[1].read(p[0], SIZE));

        assertThat(read[0]).isEqualTo(data());
        assertThat(k.cgroupfs().readLong("/a/memory.current")).as("put_page's uncharge_batch bypasses the stock")
                .isEqualTo(written - (long) (PAGES - 1) * MemMap.PAGE_SIZE);
        assertThat(k.get(MemcgCharger.class).stock().stockedPages(1)).isZero();
        closeBoth(ends[0], p);
        return cpu1;
    }

    private static void closeBoth(Task t, int[] p) {
        t.close(p[0]);
        t.close(p[1]);
    }

    /** A writer in /a with a pipe (its fds into {@code p}), and its child, holding them too, in /b. */
    private static Task[] pipeOfWriterInAAndReaderInB(Kernel k, int[] p) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task writer = k.spawn("/a");
        System.arraycopy(writer.pipe(), 0, p, 0, 2);
        Task reader = writer.fork();
        reader.moveTo("/b");
        return new Task[] {writer, reader};
    }
}
