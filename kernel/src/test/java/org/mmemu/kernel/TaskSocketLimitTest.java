package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.net.SocketType;

/**
 * A sender at its cgroup's memory.max: up to 4.18 the charge fails and the send reports
 * {@code ENOBUFS} (alloc_skb_with_frags' errno) or what went before; from 5.9 the memcg OOM
 * killer runs from the charge path, and the dying victim's last charges are forced past the limit
 * (until the buffers they paid for are consumed). Either way nothing that was sent is lost.
 */
class TaskSocketLimitTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    private static final int SIZE = 64 * 1024;

    private static byte[] data() {
        byte[] b = new byte[SIZE];
        new Random(15).nextBytes(b);
        return b;
    }

    /** A socketpair in /a, its receiving end also held by a task in /b; /a's limit 12 pages above its use. */
    private static int[] pairAtTheLimit(Kernel k, Task sender, Task[] receiver) {
        int[] sv = sender.socketpair(SocketType.STREAM);
        receiver[0] = sender.fork();
        receiver[0].moveTo("/b");
        k.drainAllStock();
        long max = k.cgroupfs().readLong("/a/memory.current") + 12 * PAGE;
        k.cgroupfs().write("/a/memory.max", Long.toString(max));
        return sv;
    }

    @Eras(value = {Era.V4_8, Era.V4_18}, memory = "64M")
    void aStreamSenderAtMemoryMaxSendsWhatWasChargedThenEnobufs(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task sender = k.spawn("/a");
        Task[] receiver = new Task[1];
        int[] sv = pairAtTheLimit(k, sender, receiver);
        long max = k.cgroupfs().readLong("/a/memory.max");

        int sent = sender.send(sv[0], data());

        assertThat(sent).isPositive().isLessThan(SIZE);
        assertThat(k.cgroupfs().readLong("/a/memory.current")).isLessThanOrEqualTo(max);
        assertThatErrno(() -> sender.send(sv[0], data()), Errno.ENOBUFS);
        assertThat(receiver[0].recv(sv[1], SIZE)).isEqualTo(Arrays.copyOf(data(), sent));
    }

    @Eras(value = {Era.V4_8, Era.V4_18}, memory = "64M")
    void aDatagramOverWhatMemoryMaxLeavesIsEnobufsAndNothingOfItIsQueued(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task sender = k.spawn("/a");
        int[] sv = sender.socketpair(SocketType.DGRAM);
        k.drainAllStock();
        k.cgroupfs().write("/a/memory.max", Long.toString(k.cgroupfs().readLong("/a/memory.current") + 12 * PAGE));
        byte[] small = Arrays.copyOf(data(), 1000);
        assertThat(sender.send(sv[0], small)).isEqualTo(small.length);

        assertThatErrno(() -> sender.send(sv[0], data()), Errno.ENOBUFS);

        assertThat(sender.recv(sv[1], SIZE)).isEqualTo(small);
        assertThatErrno(() -> sender.recv(sv[1], SIZE), Errno.EAGAIN);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aStreamSenderAtMemoryMaxIsOomKilledAndWhatItSentStaysReadable(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task sender = k.spawn("/a");
        Task[] receiver = new Task[1];
        int[] sv = pairAtTheLimit(k, sender, receiver);
        long max = k.cgroupfs().readLong("/a/memory.max");

        try {
            sender.send(sv[0], data());
        } catch (ErrnoException e) {
            assertThat(e.errno()).isEqualTo(Errno.ENOBUFS);
        }

        assertThat(sender.isAlive()).as("the memcg OOM killer chose the sender").isFalse();
        assertThat(k.cgroupfs().read("/a/memory.events")).contains("oom_kill 1\n");
        byte[] got = receiver[0].recv(sv[1], SIZE);
        assertThat(got).as("a prefix of what was sent, whole").isNotEmpty().isEqualTo(Arrays.copyOf(data(), got.length));
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/a/memory.current"))
                .as("the dying victim's forced charges went with the buffers it sent").isLessThanOrEqualTo(max);
    }

    private static void assertThatErrno(Runnable call, Errno expected) {
        try {
            call.run();
        } catch (ErrnoException e) {
            assertThat(e.errno()).isEqualTo(expected);
            return;
        }
        throw new AssertionError("no errno, expected " + expected);
    }
}
