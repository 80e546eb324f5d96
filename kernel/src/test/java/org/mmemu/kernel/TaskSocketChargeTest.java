package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.net.SocketType;

/**
 * Issue 14's AF_UNIX scenarios through the facade: who is charged for a socket's buffers and
 * when the charge goes, measured in memory.current and memory.stat as the sockets run.
 */
class TaskSocketChargeTest {
    private static final int SIZE = 64 * 1024;
    private static final int PAGE = MemMap.PAGE_SIZE;

    private static byte[] data() {
        byte[] b = new byte[SIZE];
        new Random(14).nextBytes(b);
        return b;
    }

    /**
     * memory.current after a drain, less (up to 5.8) the slab pages of the cgroup's cache clones:
     * those are charged whole and SLUB keeps an emptied one cached for the next objects
     * ({@code memcg_kmem_get_cache}, {@code memcg_charge_slab}, 4.8.15), so where the skb heads
     * land decides them, not who frees the buffers.
     */
    private static long current(Kernel k, String cgroup) {
        k.drainAllStock();
        return charged(k, cgroup);
    }

    /** memory.current as it stands (no drain), less up to 5.8 the cache clones' slab pages. */
    private static long charged(Kernel k, String cgroup) {
        long current = k.cgroupfs().readLong(cgroup + "/memory.current");
        if (k.era().compareTo(Era.V5_9) >= 0) {
            return current;
        }
        return current - k.cgroupfs().stat(cgroup, "slab_reclaimable") - k.cgroupfs().stat(cgroup, "slab_unreclaimable");
    }

    /** Makes /a and /b and spawns the writer in /a. */
    private static Task writerInA(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        return k.spawn("/a");
    }

    /** The reader: forked from the writer (the fds shared), moved to /b. */
    private static Task readerInB(Task writer) {
        Task reader = writer.fork();
        reader.moveTo("/b");
        return reader;
    }

    /** Sends 64 KiB in /a, receives it in /b, and checks who paid, for one socket type. */
    private static void sentInAReceivedInB(Kernel k, SocketType type) {
        Task writer = writerInA(k);
        long beforePair = current(k, "/a");
        int[] sv = writer.socketpair(type);
        Task reader = readerInB(writer);
        long a0 = current(k, "/a");
        long b0 = current(k, "/b");

        assertThat(writer.send(sv[0], data())).isEqualTo(SIZE);
        assertThat(current(k, "/a") - a0).as("the buffers, charged to the sender")
                .isGreaterThanOrEqualTo(SIZE - 2 * PAGE);
        assertThat(k.cgroupfs().stat("/a", "sock")).as("AF_UNIX memory is kernel memory, not sock").isZero();

        assertThat(reader.recv(sv[1], SIZE)).isEqualTo(data());
        assertThat(current(k, "/a")).as("freed by the reader, uncharged from the sender").isEqualTo(a0);
        assertThat(current(k, "/b")).isEqualTo(b0);

        writer.close(sv[0]);
        writer.close(sv[1]);
        reader.exit();
        assertThat(current(k, "/a")).isEqualTo(beforePair);
    }

    @Eras(from = Era.V4_8, memory = "64M")
    void aStreamReceiverInAnotherCgroupUnchargesTheSender(Kernel k) {
        sentInAReceivedInB(k, SocketType.STREAM);
    }

    @Eras(from = Era.V4_8, memory = "64M")
    void aDatagramReceiverInAnotherCgroupUnchargesTheSender(Kernel k) {
        sentInAReceivedInB(k, SocketType.DGRAM);
    }

    @Eras(value = Era.V4_7, memory = "64M")
    void socketBuffersAreNotChargedIn47(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task writer = k.spawn("/a");
        for (SocketType type : SocketType.values()) {
            int[] sv = writer.socketpair(type);
            long a0 = current(k, "/a");

            assertThat(writer.send(sv[0], data())).isEqualTo(SIZE);

            assertThat(current(k, "/a")).as("the escape: 64 KiB of %s buffers, uncharged", type).isEqualTo(a0);
            assertThat(writer.recv(sv[1], SIZE)).isEqualTo(data());
        }
    }

    @Eras(from = Era.V4_8, memory = "64M")
    void closingASocketWithQueuedDataFreesItAndUnchargesTheSender(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        for (SocketType type : SocketType.values()) {
            long beforePair = current(k, "/a");
            int[] sv = t.socketpair(type);
            long a0 = current(k, "/a");
            t.send(sv[0], data());
            assertThat(current(k, "/a")).isGreaterThan(a0);

            t.close(sv[1]);

            assertThat(current(k, "/a")).as("%s: the receiver's queue purged", type).isEqualTo(a0);
            t.close(sv[0]);
            assertThat(current(k, "/a")).as("%s: both socks freed", type).isEqualTo(beforePair);
        }
    }

    @Eras(from = Era.V4_8, memory = "64M")
    void aClosedSendersBuffersStayChargedToItUntilTheReceiverConsumesThem(Kernel k) {
        Task writer = writerInA(k);
        int[] sv = writer.socketpair(SocketType.STREAM);
        Task child = readerInB(writer);
        long a0 = current(k, "/a");
        writer.send(sv[0], data());
        long sent = current(k, "/a") - a0;

        writer.close(sv[0]);
        writer.close(sv[1]);
        child.close(sv[0]);

        assertThat(current(k, "/a") - a0).as("queued at the peer: the skbs and the closed sock's memory")
                .isGreaterThanOrEqualTo(sent);
        assertThat(child.recv(sv[1], SIZE)).isEqualTo(data());
        assertThat(current(k, "/a")).as("the closed sock lives on while its peer points at it").isEqualTo(a0);
    }

    @Eras(from = Era.V5_11, memory = "64M")
    void fromFiveElevenTheSendersMemoryCurrentDropsLazilyThroughTheFreeingCpusStock(Kernel k) {
        Task writer = writerInA(k);
        int[] sv = writer.socketpair(SocketType.STREAM);
        Task reader = readerInB(writer);
        long a0 = current(k, "/a");
        writer.send(sv[0], data());
        long charged = current(k, "/a");

        reader.recv(sv[1], SIZE);

        long lazy = k.cgroupfs().readLong("/a/memory.current");
        long batch = (long) k.era().memcgConfig().chargeBatch() * PAGE;
        assertThat(lazy).as("memory.current has not dropped yet").isGreaterThan(a0).isLessThanOrEqualTo(charged);
        assertThat(lazy - a0).as("by up to a batch").isLessThanOrEqualTo(batch);
        assertThat(current(k, "/a")).as("the stock drained").isEqualTo(a0);
    }

    @Eras(value = {Era.V4_8, Era.V4_18}, memory = "64M")
    void beforeFiveNineAFreedBufferPageUnchargesAtOnce(Kernel k) {
        Task writer = writerInA(k);
        int[] sv = writer.socketpair(SocketType.STREAM);
        Task reader = readerInB(writer);
        long a0 = current(k, "/a");
        writer.send(sv[0], data());
        current(k, "/a");

        reader.recv(sv[1], SIZE);

        assertThat(charged(k, "/a")).isEqualTo(a0);
    }

    @Eras(value = Era.LATEST, memory = "64M")
    void everyByteChargedForTheBuffersIsKernelMemoryInMemoryStat(Kernel k) {
        Task writer = writerInA(k);
        int[] sv = writer.socketpair(SocketType.STREAM);
        long a0 = current(k, "/a");
        long kernel0 = k.cgroupfs().stat("/a", "kernel");

        writer.send(sv[0], data());

        long charged = current(k, "/a") - a0;
        assertThat(k.cgroupfs().stat("/a", "kernel") - kernel0).as("memory.stat kernel").isEqualTo(charged);
        assertThat(k.cgroupfs().stat("/a", "sock")).isZero();
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void theSkbHeadsAndLinearAreasAreUnreclaimableSlab(Kernel k) {
        Task writer = writerInA(k);
        int[] sv = writer.socketpair(SocketType.DGRAM);
        current(k, "/a");
        long slab0 = k.cgroupfs().stat("/a", "slab_unreclaimable");

        writer.send(sv[0], new byte[1000]);
        current(k, "/a");
        assertThat(k.cgroupfs().stat("/a", "slab_unreclaimable") - slab0)
                .as("a skbuff_head_cache object and a kmalloc'd linear area").isPositive();

        writer.recv(sv[1], 1000);
        current(k, "/a");
        assertThat(k.cgroupfs().stat("/a", "slab_unreclaimable")).isEqualTo(slab0);
    }
}
