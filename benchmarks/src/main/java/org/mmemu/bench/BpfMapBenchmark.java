package org.mmemu.bench;

import java.util.concurrent.TimeUnit;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;
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
 * BPF maps through the facade, per era (issue 13): an update and a delete of a hash element by
 * a task of another cgroup than the map's creator ({@code BPF_F_NO_PREALLOC}: a kmalloc per
 * update, charged to {@code map->memcg} from 5.11, and a kfree after a grace period per delete,
 * one grace period every {@value #GRACE_PERIOD_EVERY} deletes if callbacks wait; in the latest
 * era an element from and back to {@code bpf_mem_alloc}'s per-CPU cache), and a lookup of a value through a
 * mapping of an mmapable array (a load through the task's page tables, 5.5 on).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class BpfMapBenchmark {
    static final int GRACE_PERIOD_EVERY = 64;
    /** Hash entries: the map's memlock cost stays below 4.x's 64 KiB RLIMIT_MEMLOCK. */
    private static final int HASH_ENTRIES = 256;
    private static final int ENTRIES = 1024;

    /** A hash map created in /a, and a task of /b that shares its fd. */
    @State(Scope.Thread)
    public static class ForeignHash {
        @Param({"V4_8", "V5_10", "V5_11", "LATEST"})
        Era era;
        Kernel kernel;
        Task foreign;
        Rcu rcu;
        int fd;
        int n;
        final byte[] key = new byte[8];
        final byte[] value = new byte[64];

        @Setup(Level.Trial)
        public void boot() {
            kernel = Kernel.boot(era, KernelConfig.memory(BenchMachine.MEMORY));
            kernel.cgroupfs().mkdir("/a");
            kernel.cgroupfs().mkdir("/b");
            Task owner = kernel.spawn("/a");
            fd = owner.bpfMapCreate(BpfMapType.HASH, key.length, value.length, HASH_ENTRIES,
                    BpfMapFlags.NO_PREALLOC);
            foreign = owner.fork();
            foreign.moveTo("/b");
            rcu = kernel.get(Rcu.class);
        }

        @TearDown(Level.Trial)
        public void close() {
            kernel.close();
        }
    }

    /** An mmapable array of 1024 8-byte values, mapped read-write by its creator. */
    @State(Scope.Thread)
    public static class MappedArray {
        @Param({"V5_10", "V5_11", "LATEST"})
        Era era;
        Kernel kernel;
        Task task;
        long addr;
        int i;

        @Setup(Level.Trial)
        public void boot() {
            kernel = Kernel.boot(era, KernelConfig.memory(BenchMachine.MEMORY));
            kernel.cgroupfs().mkdir("/a");
            task = kernel.spawn("/a");
            int fd = task.bpfMapCreate(BpfMapType.ARRAY, 4, 8, ENTRIES, BpfMapFlags.MMAPABLE);
            addr = task.mmap(fd, ENTRIES * 8L);
        }

        @TearDown(Level.Trial)
        public void close() {
            kernel.close();
        }
    }

    /** {@code BPF_MAP_UPDATE_ELEM} then {@code BPF_MAP_DELETE_ELEM} of one key, from /b. */
    @Benchmark
    public int foreignUpdateDelete(ForeignHash h) {
        h.key[0] = (byte) h.n;
        h.foreign.bpfMapUpdate(h.fd, h.key, h.value, BpfUpdateFlags.ANY);
        h.foreign.bpfMapDelete(h.fd, h.key);
        // Grace periods only for callbacks waiting (up to 5.11's kfree per delete): the latest era queues none.
        if (++h.n % GRACE_PERIOD_EVERY == 0 && h.rcu.pendingCallbacks() > 0) {
            h.rcu.synchronizeRcu();
        }
        return h.n;
    }

    /** One value read through the mapping. */
    @Benchmark
    public byte[] mappedLookup(MappedArray m) {
        m.i = (m.i + 1) & (ENTRIES - 1);
        return m.task.readMemory(m.addr + m.i * 8L, 8);
    }
}
