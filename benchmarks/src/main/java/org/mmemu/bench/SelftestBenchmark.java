package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.concurrent.TimeUnit;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.kmem.KmemPages;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 2 of the benchmark issue: what one selftest-sized test costs a suite, per era. The test
 * is the port of {@code test_memcg_high} ({@code tools/testing/selftests/cgroup/test_memcontrol.c};
 * integration-tests' {@code SelftestMemcontrolTest.testMemcgHigh}), re-expressed here as the
 * {@code @Eras(memory = "64M")} extension runs it: boot a 64 MiB machine, make a cgroup with
 * memory.high at 30M, let a task charge 31M of kernel pages one entry into the kernel at a time,
 * check memory.events' {@code high}, free the pages, and {@code close()} with its checks.
 *
 * <p>The primary score is the time per test; the {@link Split} counters give the nanoseconds
 * spent in boot, in the test's own operations and in {@code close()}, whose ratios to their sum
 * are the boot and check shares. Five seconds of warmup: the first second of a fork runs at
 * up to 50 times the steady time per test, and it takes about five to settle, as a test
 * suite's JVM is settled after its first few hundred tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SelftestBenchmark {
    /** The selftest's machine, as its {@code @Eras} annotation sizes it. */
    static final String MEMORY = "64M";
    private static final long MB = 1L << 20;
    private static final String CGROUP = "/memcg_test";
    private static final int PAGES = (int) (31 * MB / MemMap.PAGE_SIZE);

    @Param
    public Era era;

    /** Where the test's time went, summed over an iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Split {
        public long bootNanos;
        public long testNanos;
        public long closeNanos;

        @Setup(Level.Iteration)
        public void reset() {
            bootNanos = 0;
            testNanos = 0;
            closeNanos = 0;
        }
    }

    /** One run of the test: boot, {@code test_memcg_high}, close with its checks. */
    @Benchmark
    public Kernel memcgHigh(Split split) {
        long start = System.nanoTime();
        Kernel k = Kernel.boot(era, KernelConfig.memory(MEMORY));
        long booted = System.nanoTime();
        testMemcgHigh(k);
        long tested = System.nanoTime();
        k.close();
        long closed = System.nanoTime();
        split.bootNanos += booted - start;
        split.testNanos += tested - booted;
        split.closeNanos += closed - tested;
        return k;
    }

    /** {@code test_memcg_high}'s anon half, with kernel pages standing in for anon memory. */
    static void testMemcgHigh(Kernel k) {
        k.cgroupfs().mkdir(CGROUP);
        require(k.cgroupfs().read(CGROUP + "/memory.high").startsWith("max\n"), "memory.high starts at max");
        k.cgroupfs().write(CGROUP + "/memory.swap.max", "0");
        k.cgroupfs().write(CGROUP + "/memory.high", "30M");

        KmemPages kmem = k.get(KmemPages.class);
        Page[] pages = new Page[PAGES];
        Task t = k.spawn(CGROUP);
        for (int i = 0; i < PAGES; i++) {
            try (var running = k.enter(t)) {
                pages[i] = kmem.allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
            }
            require(pages[i] != null, "31M charged under memory.high");
        }
        t.exit();
        require(k.cgroupfs().event(CGROUP, "high") > 0, "memory.events counts high");
        for (Page page : pages) {
            kmem.freeKmemPages(page, 0);
        }
    }

    private static void require(boolean holds, String what) {
        if (!holds) {
            throw new IllegalStateException("test_memcg_high: expected " + what);
        }
    }
}
