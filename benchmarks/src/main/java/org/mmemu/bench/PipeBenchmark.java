package org.mmemu.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
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
 * A 64 KiB pipe round trip: one {@code write} of 64 KiB (the pipe's default 16 pages, each
 * allocated in the writer's cgroup and charged from 4.8) and one {@code read} of it through
 * the facade, per era, against the same round trip through the host kernel's pipe
 * ({@code java.nio.channels.Pipe}, blocking; 64 KiB fits a Linux pipe's default capacity), in one
 * run so that their ratio is one run's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class PipeBenchmark {
    private static final int SIZE = RoundTripMachine.SIZE;

    /** A task in /bench with a pipe. */
    @State(Scope.Thread)
    public static class Machine extends RoundTripMachine {
        int[] fds;

        @Override
        void open() {
            fds = task.pipe();
        }
    }

    /** The host kernel's pipe, with direct buffers for both ends. */
    @State(Scope.Thread)
    public static class HostPipe {
        java.nio.channels.Pipe pipe;
        final ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
        final ByteBuffer in = ByteBuffer.allocateDirect(SIZE);

        @Setup(Level.Trial)
        public void open() throws IOException {
            pipe = java.nio.channels.Pipe.open();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    /**
     * The emulated round trip: {@code write(fd, 64 KiB)} then {@code read(fd, buf, 64 KiB)} into
     * a buffer kept across calls, as the host's round trip reuses its buffers.
     */
    @Benchmark
    public int emulated(Machine m) {
        m.task.write(m.fds[1], m.data);
        return m.task.read(m.fds[0], m.buffer);
    }

    /** The host's: the same 64 KiB written and read back through a real pipe. */
    @Benchmark
    public int host(HostPipe h) throws IOException {
        h.out.clear();
        while (h.out.hasRemaining()) {
            h.pipe.sink().write(h.out);
        }
        h.in.clear();
        int n = 0;
        while (h.in.hasRemaining()) {
            n += h.pipe.source().read(h.in);
        }
        return n;
    }
}
