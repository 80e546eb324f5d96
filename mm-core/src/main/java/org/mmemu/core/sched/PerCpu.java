package org.mmemu.core.sched;

import java.util.function.IntFunction;

/**
 * A per-CPU variable ({@code DEFINE_PER_CPU}): one instance per emulated CPU, reached through
 * the calling thread's CPU with no lock and no allocation.
 *
 * <p>The kernel gives each CPU its own per-CPU area, so one CPU's variables never share a cache
 * line with another's. Java allocates the instances next to each other (and a collector may
 * move them together again), so a value written on a hot path must carry its own padding:
 * {@link #paddedLongs} for counter rows, and for objects {@link PerCpuPadding} in front
 * of the hot fields and a final subclass with {@link #PAD_LONGS} long fields behind them, as
 * {@code PerCpuPages} does. Without it two CPUs bound to two threads write the same cache line
 * on every operation (false sharing), and adding a thread slows both.
 *
 * @param <T> the per-CPU type
 */
public final class PerCpu<T> {
    /**
     * Longs of padding that keep one CPU's hot words away from any other CPU's: 128 bytes, two
     * cache lines, because the adjacent-line prefetcher fetches lines in pairs.
     */
    public static final int PAD_LONGS = 16;
    private final Cpus cpus;
    private final Object[] values;

    PerCpu(Cpus cpus, IntFunction<T> factory) {
        this.cpus = cpus;
        this.values = new Object[cpus.nrCpus()];
        for (int i = 0; i < values.length; i++) {
            values[i] = factory.apply(i);
        }
    }

    /** {@code this_cpu_ptr}. */
    public T thisCpu() {
        return get(cpus.current());
    }

    /** {@code per_cpu_ptr(ptr, cpu)}. */
    @SuppressWarnings("unchecked")
    public T get(Cpu cpu) {
        return (T) values[cpu.id()];
    }

    /** {@code per_cpu_ptr(ptr, cpu)} by id. */
    @SuppressWarnings("unchecked")
    public T get(int cpuId) {
        return (T) values[cpuId];
    }

    /**
     * A per-CPU row of {@code n} longs with {@link #PAD_LONGS} of padding on both sides: element
     * {@code i} lives at index {@code PAD_LONGS + i}, wherever the array ends up on the heap.
     */
    public static long[] paddedLongs(int n) {
        return new long[PAD_LONGS + n + PAD_LONGS];
    }

    /** The number of CPUs (for {@code for_each_possible_cpu}). */
    public int size() {
        return values.length;
    }
}
