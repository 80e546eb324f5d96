package org.mmemu.bench;

import java.util.concurrent.TimeUnit;
import org.mmemu.core.Injectors;
import org.mmemu.core.MmCoreModule;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 1 of the benchmark issue as a test suite pays it: a facade {@code Kernel.boot(Era.LATEST)}
 * (every module wired) followed by {@code close()} with all its checks, at the default 1 GiB and
 * at 64 MiB, a single shot each; the heap is collected between shots so that a shot does not pay
 * for collecting the previous machine. Every shot but the first boots on the injector the last
 * one closed, as every boot of a configuration but its first does; {@link #firstBootAndClose}
 * is the cost of that first one, which builds its injector.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 30)
@Measurement(iterations = 30)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class KernelBootBenchmark {
    @Param({"64M", "1G"})
    public String memory;

    /** Boot, then close: every process ended, every consistency check run. */
    @Benchmark
    public Kernel bootAndClose() {
        Kernel k = Kernel.boot(Era.LATEST, KernelConfig.memory(memory));
        k.close();
        return k;
    }

    /**
     * The same machine on an injector built for it, as the first boot of a configuration builds
     * one: built as {@code Kernel.boot} builds it, wrapped with {@code Kernel.of}, so it is never
     * pooled.
     */
    @Benchmark
    public Kernel firstBootAndClose() {
        KernelConfig config = KernelConfig.memory(memory);
        Kernel k = Kernel.of(Injectors.strict(new MmCoreModule(config.memoryConfig()), Kernel.modules(Era.LATEST, config)));
        k.close();
        return k;
    }

    @TearDown(Level.Iteration)
    public void collect() {
        System.gc();
    }
}
