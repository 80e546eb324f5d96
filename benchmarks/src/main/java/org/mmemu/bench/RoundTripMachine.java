package org.mmemu.bench;

import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine of a 64 KiB round-trip benchmark ({@link PipeBenchmark}, {@link UnixSocketBenchmark}):
 * one per trial, per era, a task in {@code /bench}, the data it sends and the buffer it receives
 * into (kept across calls, as the host's round trips keep theirs). A subclass, the JMH state,
 * opens its file pair in {@link #open}.
 */
@State(Scope.Thread)
public abstract class RoundTripMachine {
    /** The bytes of one round trip. */
    static final int SIZE = 64 * 1024;

    @Param({"V4_7", "V4_8", "V5_10", "LATEST"})
    Era era;
    Kernel kernel;
    Task task;
    final byte[] data = new byte[SIZE];
    final byte[] buffer = new byte[SIZE];

    /** Boots the era's machine, spawns the task in {@code /bench} and opens its files. */
    @Setup(Level.Trial)
    public void boot() {
        kernel = Kernel.boot(era, KernelConfig.memory(BenchMachine.MEMORY));
        kernel.cgroupfs().mkdir("/bench");
        task = kernel.spawn("/bench");
        open();
    }

    /** The task's file pair for the round trips. */
    abstract void open();

    /** The round trips leave nothing behind: close() runs every check. */
    @TearDown(Level.Trial)
    public void close() {
        kernel.close();
    }
}
