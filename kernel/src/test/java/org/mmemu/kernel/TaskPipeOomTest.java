package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.junit.Eras;

/**
 * A pipe writer at its cgroup's memory.max from 4.19 on (our 5.9 and later): the charge of a
 * pipe page ({@code alloc_page(GFP_HIGHUSER | __GFP_ACCOUNT)} in {@code pipe_write}) runs the
 * memcg OOM killer ({@code try_charge} → {@code mem_cgroup_oom}), which kills the writer or
 * another task of the cgroup per {@code oom_score_adj} and {@code memory.oom.group}; what was
 * written stays readable. The reader lives in another cgroup, out of the OOM domain.
 *
 * <p>Which charges may pass memory.max differs: 4.19 to 5.15's {@code try_charge} forces the
 * charges of a dying task ({@code should_force_charge}), so a writer that killed itself fills
 * the rest of the ring past the limit; from 5.16 ("memcg: prohibit unconditional exceeding the
 * limit of dying tasks") its next charge fails and the write stops at what fitted.
 */
class TaskPipeOomTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    private static final int SIZE = 16 * PAGE;

    private static byte[] data() {
        byte[] b = new byte[SIZE];
        new Random(17).nextBytes(b);
        return b;
    }

    private static long current(Kernel k) {
        k.drainAllStock();
        return k.cgroupfs().readLong("/a/memory.current");
    }

    /**
     * The writer in /a, its pipe, the reader (its child, holding both ends) in /b, /a's
     * memory.max, and the hog of /a or null.
     */
    private record Scene(Task writer, Task reader, int[] pipe, long max, Task hog) {
    }

    /**
     * /a with a writer (and, if {@code withHog}, a hog of oom_score_adj 1000 holding 64 KiB in
     * its own pipe), the writer's pipe, its reader moved to /b (out of the OOM domain), and
     * memory.max of /a set to what it holds plus 4 pages.
     */
    private static Scene scene(Kernel k, boolean withHog) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task writer = k.spawn("writer", "/a");
        Task hog = null;
        if (withHog) {
            hog = k.spawn("hog", "/a");
            hog.setOomScoreAdj(1000);
            int[] hogPipe = hog.pipe();
            assertThat(hog.write(hogPipe[1], data())).isEqualTo(SIZE);
        }
        int[] p = writer.pipe();
        Task reader = writer.fork();
        reader.moveTo("/b");
        long max = current(k) + 4L * PAGE;
        k.cgroupfs().write("/a/memory.max", Long.toString(max));
        return new Scene(writer, reader, p, max, hog);
    }

    @Eras(value = {Era.V5_9, Era.V5_10, Era.V5_11}, memory = "64M")
    void untilFiveSixteenAWriterThatKilledItselfFillsTheRingPastTheLimit(Kernel k) {
        Scene s = scene(k, false);

        int written = s.writer().write(s.pipe()[1], data());

        assertThat(s.writer().isAlive()).as("the only task of /a was the victim").isFalse();
        assertThat(k.cgroupfs().event("/a", "oom_kill")).isEqualTo(1);
        assertThat(written).as("a dying task's charges are forced").isEqualTo(SIZE);
        assertThat(current(k)).as("should_force_charge lets the victim pass memory.max").isGreaterThan(s.max());
        assertThat(s.reader().read(s.pipe()[0], SIZE)).isEqualTo(data());
        assertThat(current(k)).isLessThanOrEqualTo(s.max());
    }

    @Eras(value = Era.LATEST, memory = "64M")
    void fromFiveSixteenAWriterThatKilledItselfStopsAtTheLimit(Kernel k) {
        Scene s = scene(k, false);

        int written = s.writer().write(s.pipe()[1], data());

        assertThat(s.writer().isAlive()).as("the only task of /a was the victim").isFalse();
        assertThat(k.cgroupfs().event("/a", "oom_kill")).isEqualTo(1);
        assertThat(written).as("what fitted under memory.max").isPositive().isLessThan(SIZE);
        assertThat(current(k)).isLessThanOrEqualTo(s.max());
        assertThat(s.reader().read(s.pipe()[0], SIZE)).isEqualTo(Arrays.copyOf(data(), written));
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void theOomKillerPicksTheTaskWithTheHighestAdjAndTheWriteCompletes(Kernel k) {
        Scene s = scene(k, true);
        Task hog = s.hog();

        int written = s.writer().write(s.pipe()[1], data());

        assertThat(hog.isAlive()).as("oom_score_adj 1000 chose the hog").isFalse();
        assertThat(s.writer().isAlive()).isTrue();
        assertThat(k.cgroupfs().event("/a", "oom_kill")).isEqualTo(1);
        assertThat(written).as("the hog's pipe pages made room").isEqualTo(SIZE);
        assertThat(current(k)).isLessThanOrEqualTo(s.max());
        assertThat(s.reader().read(s.pipe()[0], SIZE)).isEqualTo(data());
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void withOomGroupTheWholeCgroupDiesAndTheDataStayReadable(Kernel k) {
        Scene s = scene(k, true);
        Task hog = s.hog();
        k.cgroupfs().write("/a/memory.oom.group", "1");

        int written = s.writer().write(s.pipe()[1], data());

        assertThat(hog.isAlive()).isFalse();
        assertThat(s.writer().isAlive()).as("memory.oom.group kills the writer with the hog").isFalse();
        assertThat(k.cgroupfs().event("/a", "oom_kill")).isEqualTo(2);
        assertThat(k.log().dmesg()).contains("due to memory.oom.group set");
        assertThat(written).isPositive();
        assertThat(s.reader().read(s.pipe()[0], SIZE)).isEqualTo(Arrays.copyOf(data(), written));
        assertThat(current(k)).isLessThanOrEqualTo(s.max());
    }
}
