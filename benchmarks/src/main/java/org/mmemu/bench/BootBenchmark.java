package org.mmemu.bench;

import com.google.inject.Injector;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.check.ConsistencyChecks;
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
 * Target 6 of the benchmark issue: how long a machine takes to boot (mem_map creation and
 * freeing its memory into the buddy), up to 64 GiB of emulated memory inside a 4 GiB heap, and
 * what a test pays in all for a machine it barely touches: boot, then the consistency checks
 * every test ends with ({@link #bootAndCheck}). Between shots the booted machine is checked
 * (all its memory free) and dropped, and the heap collected, so a shot does not pay for
 * collecting the previous machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class BootBenchmark {
    @Param({"64M", "1G", "16G", "64G"})
    public String memory;

    private PageAllocator booted;

    @Benchmark
    public PageAllocator boot() {
        booted = Injectors.strict(new MmCoreModule(MemoryConfig.of(memory)))
                .getInstance(PageAllocator.class);
        return booted;
    }

    /** Boot, then every bound consistency check, as a test that allocated nothing pays. */
    @Benchmark
    public List<String> bootAndCheck() {
        Injector machine = Injectors.strict(new MmCoreModule(MemoryConfig.of(memory)));
        booted = machine.getInstance(PageAllocator.class);
        List<String> violations = machine.getInstance(ConsistencyChecks.class).runWithExpectations();
        if (!violations.isEmpty()) {
            throw new IllegalStateException(memory + " fails its checks after boot: " + violations);
        }
        return violations;
    }

    @TearDown(Level.Iteration)
    public void checkAndDrop() {
        long pages = MemoryConfig.of(memory).nrPages();
        if (booted.nrFreePages() != pages) {
            throw new IllegalStateException(memory + " booted with " + booted.nrFreePages()
                    + " of " + pages + " pages free");
        }
        if (Runtime.getRuntime().maxMemory() > (4L << 30)) {
            throw new IllegalStateException("the boot fork must run in a 4 GiB heap, not "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB: do not override -jvmArgsAppend");
        }
        booted = null;
        System.gc();
    }
}
