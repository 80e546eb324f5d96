package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.interleave.Interleavings;
import org.mmemu.core.page.Page;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of an {@link InterleavingPoint} that does not stop the thread, in pairs measured in
 * one run: an order-0 {@code alloc_page} + {@code __free_page} without and with a point between
 * the two, and two {@code READ_ONCE}-like loads without and with a point between them (the
 * {@code mem_cgroup_from_obj} shape). {@code disarmed}: no test arms the point, the cost is one
 * field load and a branch; {@code armedElsewhere}: a test on another thread armed it, so this
 * thread, which has no listener, takes the slow path (a thread-local lookup) and passes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
public class InterleavingPointBenchmark {
    static final InterleavingPoint BETWEEN_ALLOC_AND_FREE =
            InterleavingPoint.declare("bench:between_alloc_and_free");
    static final InterleavingPoint BETWEEN_READS = InterleavingPoint.declare("bench:between_reads");

    /** One mm-core machine per trial, the benchmark thread on its CPU 0. */
    @State(Scope.Thread)
    public static class Machine {
        @Param({"disarmed", "armedElsewhere"})
        public String arming;

        BenchMachine m;
        PageAllocator alloc;
        BenchMachine.ThreadContext context;
        /** A word loaded twice, as {@code READ_ONCE(page->memcg_data)}. */
        volatile long word = 0x1000;

        @Setup(Level.Trial)
        public void boot() {
            m = BenchMachine.mmCore(1);
            alloc = m.alloc;
            context = m.enterThread();
            if (arming.equals("armedElsewhere")) {
                Interleavings.arm(List.of(BETWEEN_ALLOC_AND_FREE, BETWEEN_READS));
            }
        }

        @TearDown(Level.Trial)
        public void shutDown() {
            if (arming.equals("armedElsewhere")) {
                Interleavings.disarm(List.of(BETWEEN_ALLOC_AND_FREE, BETWEEN_READS));
            }
            context.leave();
            m.checkQuiescent();
        }
    }

    @Benchmark
    public Page order0(Machine s) {
        Page page = s.alloc.allocPage(GFP_KERNEL);
        s.alloc.freePage(page);
        return page;
    }

    @Benchmark
    public Page order0WithPoint(Machine s) {
        Page page = s.alloc.allocPage(GFP_KERNEL);
        BETWEEN_ALLOC_AND_FREE.reach();
        s.alloc.freePage(page);
        return page;
    }

    @Benchmark
    public long twoReads(Machine s) {
        long first = s.word;
        return first + s.word;
    }

    @Benchmark
    public long twoReadsWithPoint(Machine s) {
        long first = s.word;
        BETWEEN_READS.reach();
        return first + s.word;
    }
}
