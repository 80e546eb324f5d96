package org.mmemu.core.sched;

import java.util.function.IntFunction;

/**
 * A per-CPU variable ({@code DEFINE_PER_CPU}): one instance per emulated CPU, reached through
 * the calling thread's CPU with no lock and no allocation.
 *
 * @param <T> the per-CPU type
 */
public final class PerCpu<T> {
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

    /** The number of CPUs (for {@code for_each_possible_cpu}). */
    public int size() {
        return values.length;
    }
}
