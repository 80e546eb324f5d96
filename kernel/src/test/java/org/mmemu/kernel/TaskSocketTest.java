package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.net.SockOpt;
import org.mmemu.net.SockOpts;
import org.mmemu.net.SocketType;

/** AF_UNIX socketpairs through the facade, without blocking, in every era: data, limits, errors. */
class TaskSocketTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static Errno errno(Runnable call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("no errno");
    }

    @Eras(memory = "64M")
    void streamBytesComeOutInOrderAcrossPartialReadsBothWays(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);
        t.send(sv[0], bytes("hello, "));
        t.send(sv[0], bytes("socket"));
        t.send(sv[1], bytes("back"));

        assertThat(t.recv(sv[1], 3)).isEqualTo(bytes("hel"));
        assertThat(t.recv(sv[1], 100)).isEqualTo(bytes("lo, socket"));
        assertThat(t.recv(sv[0], 100)).isEqualTo(bytes("back"));
    }

    @Eras(memory = "64M")
    void sixtyFourKibGoesInOneStreamSendAndComesBackAcrossItsSkbs(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);
        byte[] data = random(64 * 1024);

        assertThat(t.send(sv[0], data)).isEqualTo(data.length);

        byte[] first = t.recv(sv[1], 1000);
        byte[] rest = t.recv(sv[1], data.length);

        assertThat(first).isEqualTo(Arrays.copyOf(data, 1000));
        assertThat(rest).as("the partly read skb's rest, then the next skb")
                .isEqualTo(Arrays.copyOfRange(data, 1000, data.length));
        assertThat(errno(() -> t.recv(sv[1], 1))).isEqualTo(Errno.EAGAIN);
    }

    @Eras(memory = "64M")
    void aReusedBufferReceivesEachRoundTripsBytesAndOnlyThose(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);
        byte[] buffer = new byte[64 * 1024 + 10];
        for (int n : new int[] {64 * 1024, 5000, 64 * 1024 - 1}) {
            byte[] data = random(n);
            Arrays.fill(buffer, (byte) 7);
            t.send(sv[0], data);

            assertThat(t.recv(sv[1], buffer)).as("round trip of %d bytes", n).isEqualTo(n);
            assertThat(Arrays.copyOf(buffer, n)).as("its bytes, over the buffers freed before").isEqualTo(data);
            assertThat(Arrays.copyOfRange(buffer, n, buffer.length)).as("the rest untouched")
                    .containsOnly((byte) 7);
        }
        t.close(sv[1]);
        assertThat(t.recv(sv[0], buffer)).as("end of file").isZero();
    }

    @Eras(memory = "64M")
    void anEmptyStreamIsEagainThenEndOfFileOnceThePeerCloses(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);

        assertThat(errno(() -> t.recv(sv[0], 10))).isEqualTo(Errno.EAGAIN);
        t.close(sv[1]);
        assertThat(t.recv(sv[0], 10)).isEmpty();
    }

    @Eras(memory = "64M")
    void whatAClosedPeerSentStaysReadableThenEndOfFile(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);
        byte[] data = random(20000);
        t.send(sv[1], data);

        t.close(sv[1]);

        assertThat(t.recv(sv[0], data.length)).isEqualTo(data);
        assertThat(t.recv(sv[0], 10)).isEmpty();
    }

    @Eras(memory = "64M")
    void aPeerClosedWithOurDataUnreadResetsTheStreamOnce(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);
        t.send(sv[0], random(5000));

        t.close(sv[1]);

        assertThat(errno(() -> t.recv(sv[0], 10))).isEqualTo(Errno.ECONNRESET);
        assertThat(t.recv(sv[0], 10)).isEmpty();
    }

    @Eras(memory = "64M")
    void aStreamSendToAClosedPeerIsEpipeAndSigpipeKills(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);
        t.close(sv[1]);

        assertThat(errno(() -> t.send(sv[0], bytes("x")))).isEqualTo(Errno.EPIPE);
        assertThat(t.isAlive()).as("SIGPIPE's default action").isFalse();

        Task u = k.spawn("/");
        int[] sw = u.socketpair(SocketType.STREAM);
        u.close(sw[1]);
        u.ignoreSigpipe();
        assertThat(errno(() -> u.send(sw[0], bytes("x")))).isEqualTo(Errno.EPIPE);
        assertThat(u.isAlive()).isTrue();
    }

    @Eras(memory = "64M")
    void aFullStreamSendBufferTakesWhatFitsThenEagainUntilRead(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.STREAM);
        t.setSockOpt(sv[0], SockOpt.SNDBUF, 16 * 1024);
        byte[] data = random(64 * 1024);

        int sent = t.send(sv[0], data);

        assertThat(sent).isPositive().isLessThan(data.length);
        assertThat(errno(() -> t.send(sv[0], bytes("x")))).isEqualTo(Errno.EAGAIN);
        assertThat(t.recv(sv[1], data.length)).isEqualTo(Arrays.copyOf(data, sent));
        assertThat(t.send(sv[0], bytes("x"))).as("room again once the peer read").isEqualTo(1);
    }

    @Eras(memory = "64M")
    void datagramsKeepTheirBoundariesAndAreCutToTheReadersBuffer(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.DGRAM);
        t.send(sv[0], bytes("one"));
        t.send(sv[0], bytes("second"));
        byte[] big = random(64 * 1024);
        assertThat(t.send(sv[0], big)).isEqualTo(big.length);

        assertThat(t.recv(sv[1], 100)).isEqualTo(bytes("one"));
        assertThat(t.recv(sv[1], 3)).as("the rest of a datagram is discarded").isEqualTo(bytes("sec"));
        assertThat(t.recv(sv[1], big.length)).isEqualTo(big);
        assertThat(errno(() -> t.recv(sv[1], 1))).isEqualTo(Errno.EAGAIN);
    }

    @Eras(memory = "64M")
    void aDatagramOverTheSendBufferIsEmsgsizeAndSetsockoptDoublesCapsAndFloors(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.DGRAM);
        int slack = 32;

        assertThat(errno(() -> t.send(sv[0], new byte[SockOpts.WMEM_DEFAULT - slack + 1]))).isEqualTo(Errno.EMSGSIZE);
        t.setSockOpt(sv[0], SockOpt.SNDBUF, 1);
        assertThat(t.send(sv[0], new byte[SockOpts.SOCK_MIN_SNDBUF - slack])).as("floored").isPositive();
        assertThat(errno(() -> t.send(sv[0], new byte[SockOpts.SOCK_MIN_SNDBUF - slack + 1]))).isEqualTo(Errno.EMSGSIZE);
        t.setSockOpt(sv[0], SockOpt.SNDBUF, 3000);
        assertThat(errno(() -> t.send(sv[0], new byte[2 * 3000 - slack + 1]))).as("doubled").isEqualTo(Errno.EMSGSIZE);
        t.recv(sv[1], SockOpts.SOCK_MIN_SNDBUF);
        assertThat(t.send(sv[0], new byte[2 * 3000 - slack])).isPositive();
        t.setSockOpt(sv[0], SockOpt.SNDBUF, -1);
        assertThat(errno(() -> t.send(sv[0], new byte[2 * SockOpts.WMEM_MAX - slack + 1])))
                .as("capped at wmem_max, the value taken as unsigned").isEqualTo(Errno.EMSGSIZE);
        t.setSockOpt(sv[0], SockOpt.RCVBUF, 1);
    }

    @Eras(memory = "64M")
    void aSocketpairsDatagramsAreLimitedByTheSendBufferNotByMaxDgramQlen(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.DGRAM);
        t.setSockOpt(sv[0], SockOpt.SNDBUF, 32 * 1024);
        int queued = 0;
        Errno stop = null;
        while (stop == null) {
            try {
                t.send(sv[0], new byte[100]);
                queued++;
            } catch (ErrnoException e) {
                stop = e.errno();
            }
        }

        assertThat(stop).isEqualTo(Errno.EAGAIN);
        assertThat(queued).as("more than max_dgram_qlen (10)").isGreaterThan(10);
        t.recv(sv[1], 100);
        assertThat(t.send(sv[0], new byte[100])).isEqualTo(100);
    }

    @Eras(memory = "64M")
    void aDatagramToAClosedPeerIsRefusedOnceThenNotConnectedWithoutSignal(Kernel k) {
        Task t = k.spawn("/");
        int[] sv = t.socketpair(SocketType.DGRAM);
        t.close(sv[1]);

        assertThat(errno(() -> t.send(sv[0], bytes("x")))).isEqualTo(Errno.ECONNREFUSED);
        assertThat(errno(() -> t.send(sv[0], bytes("x")))).isEqualTo(Errno.ENOTCONN);
        assertThat(errno(() -> t.recv(sv[0], 1))).isEqualTo(Errno.EAGAIN);
        assertThat(t.isAlive()).isTrue();
    }

    @Eras(memory = "64M")
    void socketCallsOnOtherFilesAreEnotsockOrEbadf(Kernel k) {
        Task t = k.spawn("/");
        int[] p = t.pipe();

        assertThat(errno(() -> t.send(p[1], bytes("x")))).isEqualTo(Errno.ENOTSOCK);
        assertThat(errno(() -> t.recv(p[0], 1))).isEqualTo(Errno.ENOTSOCK);
        assertThat(errno(() -> t.setSockOpt(p[0], SockOpt.SNDBUF, 1))).isEqualTo(Errno.ENOTSOCK);
        assertThat(errno(() -> t.send(99, bytes("x")))).isEqualTo(Errno.EBADF);
        t.exit();
        assertThat(errno(() -> t.socketpair(SocketType.STREAM))).isEqualTo(Errno.ESRCH);
    }
}
