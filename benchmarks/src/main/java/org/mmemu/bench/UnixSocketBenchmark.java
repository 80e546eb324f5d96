package org.mmemu.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mmemu.net.SocketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 64 KiB AF_UNIX stream round trip: one {@code send} of 64 KiB (two skbs, their heads
 * kmalloc'd and their fragments paged in the sender's cgroup, charged from 4.8) and one
 * {@code recv} of it through the facade, per era, against the same round trip through the host
 * kernel: a JDK AF_UNIX {@code SocketChannel} pair (Java 16+, bound in a temporary directory,
 * blocking; 64 KiB fits the host's default send buffer), in one run so that their ratio is one
 * run's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class UnixSocketBenchmark {
    private static final int SIZE = RoundTripMachine.SIZE;

    /** A task in /bench with a stream socketpair. */
    @State(Scope.Thread)
    public static class Machine extends RoundTripMachine {
        int[] sv;

        @Override
        void open() {
            sv = task.socketpair(SocketType.STREAM);
        }
    }

    /** The host kernel's AF_UNIX stream pair, with direct buffers for both ends. */
    @State(Scope.Thread)
    public static class HostPair {
        Path dir;
        ServerSocketChannel server;
        SocketChannel client;
        SocketChannel accepted;
        final ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
        final ByteBuffer in = ByteBuffer.allocateDirect(SIZE);

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("mmemu-unix");
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s"));
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(address);
            client = SocketChannel.open(address);
            accepted = server.accept();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            client.close();
            accepted.close();
            server.close();
            Files.deleteIfExists(dir.resolve("s"));
            Files.delete(dir);
        }
    }

    /**
     * The emulated round trip: {@code send(fd, 64 KiB)} then {@code recv(fd, buf, 64 KiB)} into
     * a buffer kept across calls, as the host's round trip reuses its buffers.
     */
    @Benchmark
    public int emulated(Machine m) {
        m.task.send(m.sv[0], m.data);
        return m.task.recv(m.sv[1], m.buffer);
    }

    /** The host's: the same 64 KiB sent and received back through a real AF_UNIX stream pair. */
    @Benchmark
    public int host(HostPair h) throws IOException {
        h.out.clear();
        while (h.out.hasRemaining()) {
            h.client.write(h.out);
        }
        h.in.clear();
        int n = 0;
        while (h.in.hasRemaining()) {
            n += h.accepted.read(h.in);
        }
        return n;
    }
}
