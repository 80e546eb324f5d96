package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import com.google.inject.Injector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.slab.Kmalloc;
import org.mmemu.slab.SlabModule;
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
 * A {@code kmalloc(64, GFP_KERNEL)} + {@code kfree} pair on mm-core with SLUB (no accounting
 * bound: {@code SlabAccounting.NONE}), the same pair accounted ({@code GFP_KERNEL_ACCOUNT} from a
 * task in a cgroup, memcg wired in its latest era: obj_cgroup byte charges through the per-CPU
 * byte stock), against Netty's pooled allocator taking and releasing a 64-byte direct buffer from
 * its thread-local cache, in one run so that their ratios are one run's. Both pairs are served by a per-CPU (per-thread) cache: SLUB's CPU slab, Netty's
 * thread cache. {@code freePointerLean} and {@code freePointerGeneric} weigh the free pointer's
 * store and load: the lean word access slab uses against the generic kernel-memory copies.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
public class KmallocBenchmark {

    /** One machine per trial, its first CPU taken by the benchmark thread. */
    @State(Scope.Thread)
    public static class Machine {
        Injector injector;
        Kmalloc kmalloc;
        PhysicalMemory ram;
        KernelMemory memory;
        /** A kmalloc-64 object whose first word the free-pointer benchmarks read and write. */
        long object;
        long pfn;
        int offset;
        final byte[] word = new byte[Long.BYTES];

        @Setup(Level.Trial)
        public void boot() {
            injector = Injectors.strict(new MmCoreModule(MemoryConfig.of(BenchMachine.MEMORY)), new SlabModule());
            kmalloc = injector.getInstance(Kmalloc.class);
            ram = injector.getInstance(PhysicalMemory.class);
            memory = injector.getInstance(KernelMemory.class);
            object = kmalloc.kmalloc(64, GFP_KERNEL);
            pfn = (object - MemMap.PAGE_OFFSET) >>> MemMap.PAGE_SHIFT;
            offset = (int) object & (MemMap.PAGE_SIZE - 1);
        }

        /** The pairs leave every slab as consistent as they found it. */
        @TearDown(Level.Trial)
        public void check() {
            kmalloc.kfree(object);
            var problems = injector.getInstance(ConsistencyChecks.class).run();
            if (!problems.isEmpty()) {
                throw new IllegalStateException(String.join("\n", problems));
            }
        }
    }

    /**
     * A machine with memcg, in the latest era, whose benchmark thread runs a task of
     * {@code /bench} for the whole trial, so that every {@code GFP_KERNEL_ACCOUNT} kmalloc is
     * charged to the cgroup's obj_cgroup.
     */
    @State(Scope.Thread)
    public static class AccountedMachine {
        Injector injector;
        Kmalloc kmalloc;
        Tasks.TaskScope task;

        @Setup(Level.Trial)
        public void boot() {
            injector = Injectors.strict(new MmCoreModule(MemoryConfig.of(BenchMachine.MEMORY)), new MemcgModule(),
                    new SlabModule());
            kmalloc = injector.getInstance(Kmalloc.class);
            Cgroups cgroups = injector.getInstance(Cgroups.class);
            Tasks tasks = injector.getInstance(Tasks.class);
            TaskStruct writer = tasks.create("bench", new MmStruct());
            cgroups.attach(writer, cgroups.mkdir("/bench"));
            task = tasks.enter(writer);
        }

        /** Every charged byte was given back: the consistency checks pass. */
        @TearDown(Level.Trial)
        public void check() {
            task.close();
            var problems = injector.getInstance(ConsistencyChecks.class).run();
            if (!problems.isEmpty()) {
                throw new IllegalStateException(String.join("\n", problems));
            }
        }
    }

    /** The pair: {@code kmalloc(64)} then {@code kfree}; the address goes to the blackhole. */
    @Benchmark
    public long kmalloc64(Machine m) {
        long x = m.kmalloc.kmalloc(64, GFP_KERNEL);
        m.kmalloc.kfree(x);
        return x;
    }

    /** The accounted pair: {@code kmalloc(64, GFP_KERNEL_ACCOUNT)} then {@code kfree}. */
    @Benchmark
    public long kmalloc64Accounted(AccountedMachine m) {
        long x = m.kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT);
        m.kmalloc.kfree(x);
        return x;
    }

    /**
     * The unaccounted pair on the accounting machine: {@code kmalloc(64, GFP_KERNEL)} from the
     * same task in {@code /bench}, memcg's hooks run and charge nothing. This is the kernel's own
     * comparison (one kernel, one cache with and one without accounting), against which its
     * 0.39x was measured.
     */
    @Benchmark
    public long kmalloc64HooksOn(AccountedMachine m) {
        long x = m.kmalloc.kmalloc(64, GFP_KERNEL);
        m.kmalloc.kfree(x);
        return x;
    }

    /** A free pointer's write and read through the lean word access slab uses. */
    @Benchmark
    public long freePointerLean(Machine m) {
        m.ram.writeLong(m.pfn, m.offset, m.object);
        return m.ram.readLong(m.pfn, m.offset);
    }

    /** The same word through the generic kernel-address copies ({@code memcpy} to and from a buffer). */
    @Benchmark
    public byte[] freePointerGeneric(Machine m) {
        m.memory.write(m.object, m.word, 0, Long.BYTES);
        m.memory.read(m.object, m.word, 0, Long.BYTES);
        return m.word;
    }

    /** The peer: Netty's pooled allocator, 64-byte direct buffers, from its thread-local cache. */
    @Benchmark
    public ByteBuf nettyPooled64() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64, 64);
        b.release();
        return b;
    }
}
