package org.mmemu.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.OpenFiles;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.pipe.PipeModule;
import org.mmemu.slab.Kmalloc;
import org.mmemu.slab.SlabModule;

/** The sockets and skbs behind a socketpair: their sizes, truesize, write memory and lifetime. */
class UnixSocketsTest {
    private TestMachine m;
    private TaskStruct t;
    private UnixSocketIo io;
    private File a;
    private File b;

    @BeforeEach
    void boot() {
        m = TestMachine.boot(MemoryConfig.of("64M"), new SlabModule(), new PipeModule(), new UnixModule());
        t = m.tasks().create("t", new MmStruct());
        io = m.get(UnixSocketIo.class);
    }

    @AfterEach
    void verify() {
        m.get(Exit.class).doExit(t);
        m.verify();
    }

    private void pair(SocketType type) {
        int[] sv;
        try (var running = m.tasks().enter(t)) {
            sv = m.get(UnixSockets.class).socketpair(type);
        }
        assertThat(sv).containsExactly(0, 1);
        a = t.files().fget(sv[0]);
        b = t.files().fget(sv[1]);
        a.put();
        b.put();
    }

    private long send(byte[] data) {
        try (var running = m.tasks().enter(t)) {
            return io.send(a, data);
        }
    }

    private UnixSock sock(File f) {
        return m.get(UnixSockets.class).unixSock(f);
    }

    private static byte[] random(int n) {
        byte[] d = new byte[n];
        new Random(n).nextBytes(d);
        return d;
    }

    /** {@code SKB_TRUESIZE} of a linear area kmalloc'd for {@code size} bytes, plus {@code pages} of fragments. */
    private long truesize(int size, int pages) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        int alloc = SkBuffs.skbDataAlign(size) + SkBuffs.skbDataAlign(SkBuffs.SHINFO_SIZE);
        return kmalloc.kmallocSlab(alloc).size() + SkBuffs.skbDataAlign(SkBuffs.SK_BUFF_SIZE)
                + (long) pages * MemMap.PAGE_SIZE;
    }

    @Test
    void aStreamSendIsCutAsUnixStreamSendmsgCutsItAndEachSkbCountsItsTruesize() {
        pair(SocketType.STREAM);
        UnixSock sender = sock(a);
        UnixSock receiver = sock(b);

        assertThat(send(random(64 * 1024))).isEqualTo(64 * 1024);

        assertThat(receiver.receiveQueueLen()).isEqualTo(2);
        SkBuff first = receiver.receiveQueue.peekFirst();
        SkBuff second = receiver.receiveQueue.peekLast();
        int firstLen = SkBuffs.SKB_MAX_HEAD_0 + UnixStream.UNIX_SKB_FRAGS_SZ;
        assertThat(first.len()).isEqualTo(firstLen);
        assertThat(first.nrFrags()).as("one order-3 fragment").isEqualTo(1);
        int secondFrags = 64 * 1024 - firstLen - SkBuffs.SKB_MAX_HEAD_0 + MemMap.PAGE_SIZE - 1 & -MemMap.PAGE_SIZE;
        assertThat(second.len()).isEqualTo(64 * 1024 - firstLen);
        assertThat(second.nrFrags()).as("4 + 2 + 1 pages").isEqualTo(3);
        assertThat(first.truesize()).isEqualTo(truesize(SkBuffs.SKB_MAX_HEAD_0, 8));
        assertThat(second.truesize()).isEqualTo(truesize(second.len() - secondFrags, secondFrags / MemMap.PAGE_SIZE));
        assertThat(sender.wmemAllocGet()).isEqualTo(first.truesize() + second.truesize());
    }

    @Test
    void receivingGivesTheWriteMemoryBackAndAClosedSendersSockLivesUntilItsLastSkbGoes() {
        pair(SocketType.DGRAM);
        UnixSock sender = sock(a);
        send(random(100));
        send(random(70000));
        int queued = sender.wmemAllocGet();
        assertThat(queued).isPositive();
        byte[] buf = new byte[100];

        try (var running = m.tasks().enter(t)) {
            assertThat(io.recv(b, buf)).isEqualTo(100);
        }
        assertThat(sender.wmemAllocGet()).isLessThan(queued).isPositive();
        t.files().closeFd(0);
        assertThat(sender.dead).isTrue();
        assertThat(sender.wmemAllocGet()).as("its datagram still queued at the peer").isPositive();
    }

    @Test
    void theCheckReportsSocksAndSkbsLeftOnceEveryFileIsReleased() {
        UnixObjectCounts counts = new UnixObjectCounts();
        UnixSockCheck check = new UnixSockCheck(m.get(OpenFiles.class), counts);
        counts.socks.set(1);
        counts.skbs.set(2);
        assertThat(check.check()).hasSize(2);
        pair(SocketType.STREAM);
        assertThat(check.check()).as("files open: socks may be held").isEmpty();
    }

    @Test
    void setsockoptDoublesCapsAtTheMaximumAndFloors() {
        pair(SocketType.STREAM);
        UnixSock sk = sock(a);
        assertThat(sk.sndbuf()).as("x86-64's wmem_default").isEqualTo(212992).isEqualTo(SockOpts.WMEM_DEFAULT);
        assertThat(sk.rcvbuf()).isEqualTo(SockOpts.RMEM_DEFAULT);

        SockOpts.sockSetsockopt(sk, SockOpt.SNDBUF, 10000);
        SockOpts.sockSetsockopt(sk, SockOpt.RCVBUF, 1);
        assertThat(sk.sndbuf()).isEqualTo(20000);
        assertThat(sk.rcvbuf()).isEqualTo(SockOpts.SOCK_MIN_RCVBUF);
        SockOpts.sockSetsockopt(sk, SockOpt.SNDBUF, Integer.MIN_VALUE);
        SockOpts.sockSetsockopt(sk, SockOpt.RCVBUF, Integer.MAX_VALUE);
        assertThat(sk.sndbuf()).as("a negative value is a large unsigned one").isEqualTo(2 * SockOpts.WMEM_MAX);
        assertThat(sk.rcvbuf()).isEqualTo(2 * SockOpts.RMEM_MAX);
        SockOpts.sockSetsockopt(sk, SockOpt.SNDBUF, 0);
        assertThat(sk.sndbuf()).isEqualTo(SockOpts.SOCK_MIN_SNDBUF);
    }
}
