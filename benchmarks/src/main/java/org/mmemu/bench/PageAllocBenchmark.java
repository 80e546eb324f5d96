package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemcgConfig;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Targets 1, 2, 3 and 5 of the benchmark issue, in one class so their ratios come from one run:
 * an order-0 {@code alloc_pages} + {@code __free_pages} pair on one machine per trial, against
 * Netty's pooled allocator taking and releasing a 4 KiB direct buffer.
 *
 * <pre>
 *  machine        what is bound                         gfp                  issue target
 *  mmcore         mm-core alone                         GFP_KERNEL           1 (vs netty), 5
 *  nokmem         + memcg, cgroup.memory=nokmem          GFP_KERNEL_ACCOUNT   2 (vs mmcore)
 *  unaccounted    + memcg, kmem online (hooks on)        GFP_KERNEL           (the hooks' cost)
 *  pageType       + memcg, kmem.PageType, 5.10 era       GFP_KERNEL_ACCOUNT   3, 5
 *  pageTypeStock  + the same with 5.11's stock uncharge  GFP_KERNEL_ACCOUNT   (the design alone)
 *  memcgDataFlag  + memcg, kmem.MemcgDataFlag, 5.11 era  GFP_KERNEL_ACCOUNT   3, 5
 *  objcg          + memcg, kmem.Objcg, latest era        GFP_KERNEL_ACCOUNT   3, 5
 * </pre>
 *
 * With memcg every JMH thread runs its own user task in {@code /bench/a/b}, three levels deep;
 * every thread is bound to its own emulated CPU (the machine has one per thread), so it uses
 * its own per-CPU page list and charge stock. {@code order0Threads2} reports the two threads'
 * summed throughput: divided by {@code order0}'s, it is the scaling of target 5. Do not pass
 * {@code -t}: it would override the thread counts these ratios rely on.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class PageAllocBenchmark {

    /** One machine per trial, shared by the benchmark threads. */
    @State(Scope.Benchmark)
    public static class Machine {
        @Param({"mmcore", "nokmem", "unaccounted", "pageType", "pageTypeStock", "memcgDataFlag", "objcg"})
        public String machine;

        BenchMachine m;
        PageAllocator alloc;
        int gfp;
        /** Whether an allocation with {@link #gfp} must be charged to the benchmark cgroup. */
        boolean charged;

        @Setup(Level.Trial)
        public void boot(BenchmarkParams params) {
            int threads = params.getThreads();
            boolean hooks;
            switch (machine) {
                case "mmcore":
                    m = BenchMachine.mmCore(threads);
                    gfp = GFP_KERNEL;
                    hooks = false;
                    break;
                case "nokmem":
                    m = BenchMachine.memcg(threads, MemcgConfig.LATEST.withKmemAccounting(false), null, null);
                    gfp = GFP_KERNEL_ACCOUNT;
                    hooks = false;
                    break;
                case "unaccounted":
                    m = BenchMachine.memcg(threads, MemcgConfig.LATEST, null, null);
                    gfp = GFP_KERNEL;
                    hooks = true;
                    break;
                default:
                    KmemDesign d = design(machine);
                    m = BenchMachine.memcg(threads, d.config, d.kmemPolicy, d.pageTypeEncoding);
                    gfp = GFP_KERNEL_ACCOUNT;
                    charged = true;
                    hooks = true;
                    break;
            }
            if (m.hooksOn() != hooks) {
                throw new IllegalStateException(machine + ": page hooks should be " + (hooks ? "on" : "off"));
            }
            alloc = m.alloc;
        }

        private static KmemDesign design(String name) {
            switch (name) {
                case "pageType":
                    return KmemDesign.PAGE_TYPE;
                case "pageTypeStock":
                    return KmemDesign.PAGE_TYPE_STOCK;
                case "memcgDataFlag":
                    return KmemDesign.MEMCG_DATA_FLAG;
                case "objcg":
                    return KmemDesign.OBJCG;
                default:
                    throw new IllegalArgumentException("unknown machine " + name);
            }
        }

        @TearDown(Level.Iteration)
        public void checkNoLeak() {
            m.checkQuiescent();
        }
    }

    /** Per benchmark thread: its own emulated CPU and, with memcg, its own task in the cgroup. */
    @State(Scope.Thread)
    public static class OnCpu {
        BenchMachine.ThreadContext context;

        @Setup(Level.Trial)
        public void enter(Machine machine) {
            context = machine.m.enterThread();
            machine.m.expectCharged(machine.gfp, machine.charged);
        }

        /**
         * The last thread to leave checks that the stocks drain to nothing: JMH tears the
         * shared machine down while the other thread still holds its CPU, whose stock only that
         * thread can drain.
         */
        @TearDown(Level.Trial)
        public void leave(Machine machine) {
            if (context.leave()) {
                machine.m.checkDrained();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public Page order0(Machine m, OnCpu cpu) {
        return allocFree(m.alloc, m.gfp);
    }

    @Benchmark
    @Threads(2)
    public Page order0Threads2(Machine m, OnCpu cpu) {
        return allocFree(m.alloc, m.gfp);
    }

    /** The peer: Netty's pooled allocator, 4 KiB direct buffers, from its thread-local cache. */
    @Benchmark
    @Threads(1)
    public ByteBuf nettyPooled4k() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(4096, 4096);
        b.release();
        return b;
    }

    /** The pair: {@code alloc_page} then {@code __free_page}; the page goes to the blackhole. */
    private static Page allocFree(PageAllocator alloc, int gfp) {
        Page page = alloc.allocPage(gfp);
        alloc.freePage(page);
        return page;
    }
}
