package org.mmemu.bench;

import java.util.concurrent.TimeUnit;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.PageAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target 6 of the benchmark issue: how long a machine takes to boot (mem_map creation and
 * freeing all memory into the buddy), up to 64 GiB of emulated memory inside a 4 GiB heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class BootBenchmark {
    @Param({"1G", "16G", "64G"})
    public String memory;

    @Benchmark
    public PageAllocator boot() {
        return Injectors.strict(new MmCoreModule(MemoryConfig.of(memory)))
                .getInstance(PageAllocator.class);
    }
}
