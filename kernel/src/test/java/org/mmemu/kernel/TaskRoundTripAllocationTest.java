package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.mmemu.core.testing.AllocatedBytes;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.net.SocketType;

/**
 * A 64 KiB round trip through a pipe or an AF_UNIX stream pair, the benchmarks' (PipeBenchmark,
 * UnixSocketBenchmark), allocates nothing on the Java heap once warm: the facade enters the task
 * without a scope object, a socket keeps its freed skbs' objects, a frame keeps its array across
 * free. The task is in a child cgroup, so that from 4.8 every page and buffer is charged. What the garbage would cost shows on the collector's threads, not in the caller's time.
 */
class TaskRoundTripAllocationTest {
    private static final int SIZE = 64 * 1024;

    @Eras
    void aPipeRoundTripAllocatesNothing(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        int[] fds = t.pipe();
        byte[] data = new byte[SIZE];
        byte[] buffer = new byte[SIZE];
        assertThat(AllocatedBytes.of(() -> {
            t.write(fds[1], data);
            t.read(fds[0], buffer);
        })).isZero();
    }

    @Eras
    void aStreamSocketRoundTripAllocatesNothing(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        int[] sv = t.socketpair(SocketType.STREAM);
        byte[] data = new byte[SIZE];
        byte[] buffer = new byte[SIZE];
        assertThat(AllocatedBytes.of(() -> {
            t.send(sv[0], data);
            t.recv(sv[1], buffer);
        })).isZero();
    }
}
