package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.Page;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target 1 of the benchmark issue: an order-0 {@code alloc_pages} + {@code __free_pages} pair on
 * mm-core alone, against Netty's pooled allocator taking and releasing a 4 KiB direct buffer.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PageAllocBenchmark {

    /** One machine shared by the benchmark threads; each thread binds to its own CPU. */
    @State(Scope.Benchmark)
    public static class MmCore {
        PageAllocator alloc;

        @Setup(Level.Trial)
        public void boot() {
            alloc = Injectors.strict(new MmCoreModule(MemoryConfig.of("256M")))
                    .getInstance(PageAllocator.class);
        }
    }

    @Benchmark
    public Page mmcoreOrder0(MmCore m) {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(p);
        return p;
    }

    @Benchmark
    public ByteBuf nettyPooled4k() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(4096, 4096);
        b.release();
        return b;
    }
}
