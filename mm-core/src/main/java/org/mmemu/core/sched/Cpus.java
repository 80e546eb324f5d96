package org.mmemu.core.sched;

import java.util.function.IntFunction;

/**
 * The machine's CPUs and the binding of Java threads to them.
 *
 * <p>A thread that touches per-CPU state without having bound itself is bound to the lowest
 * free CPU; {@link #bind(int)} chooses one explicitly and {@link #unbind()} gives it back. A CPU
 * whose owning thread has died is free again. Binding is per machine: one thread may run on
 * CPU 0 of two machines at once.
 */
public final class Cpus {
    private final Cpu[] cpus;
    private final ThreadLocal<Cpu> bound = new ThreadLocal<>();

    public Cpus(int nrCpus) {
        if (nrCpus < 1) {
            throw new IllegalArgumentException("a machine needs at least one CPU, not " + nrCpus);
        }
        cpus = new Cpu[nrCpus];
        for (int i = 0; i < nrCpus; i++) {
            cpus[i] = new Cpu(i);
        }
    }

    /** {@code nr_cpu_ids}. */
    public int nrCpus() {
        return cpus.length;
    }

    /** The CPU with this id. */
    public Cpu cpu(int id) {
        return cpus[id];
    }

    /** The calling thread's CPU, binding it to a free one first if needed. */
    public Cpu current() {
        Cpu c = bound.get();
        return c != null ? c : bindFirstFree();
    }

    /** Binds the calling thread to CPU {@code id}; fails if a live thread owns it. */
    public synchronized Cpu bind(int id) {
        Cpu c = cpus[id];
        Thread me = Thread.currentThread();
        Thread owner = c.owner();
        if (owner != null && owner != me && owner.isAlive()) {
            throw new IllegalStateException(c + " is bound to thread " + owner.getName());
        }
        Cpu old = bound.get();
        if (old != null && old != c) {
            old.setOwner(null);
        }
        c.setOwner(me);
        bound.set(c);
        return c;
    }

    /** Releases the calling thread's CPU, if any. */
    public synchronized void unbind() {
        Cpu c = bound.get();
        if (c != null) {
            c.setOwner(null);
            bound.remove();
        }
    }

    private synchronized Cpu bindFirstFree() {
        for (Cpu c : cpus) {
            Thread owner = c.owner();
            if (owner == null || !owner.isAlive()) {
                return bind(c.id());
            }
        }
        throw new IllegalStateException("all " + cpus.length + " emulated CPUs are bound to live"
                + " threads: unbind one, or boot the machine with more CPUs");
    }

    /** {@code DEFINE_PER_CPU}: a variable with one instance per CPU. */
    public <T> PerCpu<T> perCpu(IntFunction<T> factory) {
        return new PerCpu<>(this, factory);
    }
}
