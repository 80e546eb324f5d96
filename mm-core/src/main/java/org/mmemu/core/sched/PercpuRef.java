package org.mmemu.core.sched;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mmemu.core.KernelBug;

/**
 * {@code struct percpu_ref} (lib/percpu-refcount.c): a reference count whose gets and puts, while
 * the object is live, only add to the calling CPU's own counter (no atomic instruction, no shared
 * cache line), and which turns into one atomic count when it is killed, so that the last put can
 * be seen.
 *
 * <pre>
 *   percpu mode ──kill──► atomic mode, per-CPU counts being folded ──every CPU folded──► exact
 *   count = BIAS + 1      gets/puts on the atomic (BIAS keeps it     count = sum; 0 releases,
 *   gets/puts per CPU     above zero meanwhile)                      as does the last put
 * </pre>
 *
 * <p>The kernel folds the per-CPU counts after an RCU grace period; here each CPU folds its own
 * count as per-CPU work ({@link Cpus#scheduleWorkOn}), so a CPU whose thread is mid-way through
 * a get or put finishes it first. With one thread everything happens inside {@link #kill()}.
 * Gets and puts must be made with the calling thread's own CPU.
 */
public final class PercpuRef {
    /** {@code PERCPU_COUNT_BIAS}: keeps the atomic count positive until the fold completes. */
    static final long PERCPU_COUNT_BIAS = 1L << 62;

    private final Cpus cpus;
    private final String kind;
    private final Object owner;
    private final Runnable release;
    /** Per-CPU counts, CPU {@code i} at {@link #slot}: 128 bytes apart, padded at both ends. */
    private final long[] counts;
    /**
     * {@code percpu_count_ptr}: {@link #counts} while in percpu mode, null once atomic (the
     * kernel keeps {@code __PERCPU_REF_ATOMIC} in the pointer's low bit), so a get or put reads
     * one word to learn both the mode and where to count.
     */
    private volatile long[] percpuCounts;
    private final AtomicLong count = new AtomicLong(PERCPU_COUNT_BIAS + 1);
    private final AtomicInteger cpusToFold = new AtomicInteger();
    /** {@code __PERCPU_REF_DEAD}. */
    private volatile boolean dead;
    private volatile boolean folded;

    /**
     * {@code percpu_ref_init} with the initial reference held, in percpu mode.
     *
     * @param kind    the name its errors use ({@code css}, {@code obj_cgroup})
     * @param owner   the object counted, named in errors
     * @param release {@code release}: run once, on the thread dropping the last reference
     */
    public PercpuRef(Cpus cpus, String kind, Object owner, Runnable release) {
        this.cpus = cpus;
        this.kind = kind;
        this.owner = owner;
        this.release = release;
        this.counts = new long[PerCpu.PAD_LONGS * (cpus.nrCpus() + 2)];
        this.percpuCounts = counts;
    }

    private static int slot(Cpu cpu) {
        return PerCpu.PAD_LONGS * (cpu.id() + 1);
    }

    /** {@code percpu_ref_get_many} on {@code cpu}, the calling thread's CPU. */
    public void get(Cpu cpu, long nr) {
        long[] percpu = percpuCounts;
        if (percpu != null) {
            percpu[slot(cpu)] += nr;
            return;
        }
        getAtomic(nr);
    }

    /**
     * A get on the atomic count: always sound, in percpu mode too (the fold adds the per-CPU
     * counts to it), so a thread with no CPU uses it rather than being bound to one.
     */
    private void getAtomic(long nr) {
        long before = count.getAndAdd(nr);
        if (before <= 0) {
            count.getAndAdd(-nr);
            throw new KernelBug(kind + "_get on released " + owner + " (refcount " + before + ")");
        }
    }

    /** {@link #get(Cpu, long)} on the calling thread's CPU, or the atomic count if it has none. */
    public void get(long nr) {
        Cpu cpu = cpus.currentIfBound();
        if (cpu != null) {
            get(cpu, nr);
        } else {
            getAtomic(nr);
        }
    }

    /** {@code percpu_ref_tryget}: a reference unless the count already reached zero. */
    public boolean tryGet(Cpu cpu) {
        long[] percpu = percpuCounts;
        if (percpu != null) {
            percpu[slot(cpu)]++;
            return true;
        }
        return incNotZero();
    }

    /** {@link #tryGet(Cpu)} on the calling thread's CPU, or the atomic count if it has none. */
    public boolean tryGet() {
        Cpu cpu = cpus.currentIfBound();
        return cpu != null ? tryGet(cpu) : incNotZero();
    }

    /** {@code percpu_ref_tryget_live}: as {@link #tryGet} but fails once killed. */
    public boolean tryGetLive(Cpu cpu) {
        long[] percpu = percpuCounts;
        if (percpu != null) {
            percpu[slot(cpu)]++;
            return true;
        }
        return !dead && incNotZero();
    }

    private boolean incNotZero() {
        long v = count.get();
        while (v > 0) {
            if (count.compareAndSet(v, v + 1)) {
                return true;
            }
            v = count.get();
        }
        return false;
    }

    /**
     * {@code percpu_ref_put_many} on {@code cpu}, the calling thread's CPU: the last put after
     * the kill releases the object.
     */
    public void put(Cpu cpu, long nr) {
        long[] percpu = percpuCounts;
        if (percpu != null) {
            percpu[slot(cpu)] -= nr;
            return;
        }
        putAtomic(nr);
    }

    /** A put on the atomic count: in percpu mode the bias keeps it from reaching zero. */
    private void putAtomic(long nr) {
        long now = count.addAndGet(-nr);
        if (now < 0) {
            count.getAndAdd(nr);
            throw new KernelBug(kind + "_put underflow on " + owner + ": refcount " + now);
        }
        if (now == 0) {
            release.run();
        }
    }

    /** {@link #put(Cpu, long)} on the calling thread's CPU, or the atomic count if it has none. */
    public void put(long nr) {
        Cpu cpu = cpus.currentIfBound();
        if (cpu != null) {
            put(cpu, nr);
        } else {
            putAtomic(nr);
        }
    }

    /**
     * {@code percpu_ref_kill}: switches to atomic mode, drops the initial reference and has every
     * CPU fold its count into the atomic one; the object is released when the sum is zero.
     */
    public void kill() {
        synchronized (this) {
            if (dead) {
                throw new KernelBug("percpu_ref_kill called more than once on " + owner);
            }
            dead = true;
            percpuCounts = null;
        }
        cpusToFold.set(cpus.nrCpus());
        putAtomic(1);
        // Every CPU gets its fold even if other work run on the way fails.
        cpus.scheduleWorkOnEach(c -> {
            Cpu cpu = cpus.cpu(c);
            return () -> fold(cpu);
        });
    }

    /** {@code percpu_ref_switch_to_atomic_rcu}, one CPU's share, run as that CPU. */
    private void fold(Cpu cpu) {
        int i = slot(cpu);
        long n = counts[i];
        counts[i] = 0;
        if (n != 0) {
            count.addAndGet(n);
        }
        if (cpusToFold.decrementAndGet() != 0) {
            return;
        }
        folded = true;
        long now = count.addAndGet(-PERCPU_COUNT_BIAS);
        if (now < 0) {
            throw new KernelBug("percpu ref (" + owner + ") <= 0 (" + now + ") after switching to atomic");
        }
        if (now == 0) {
            release.run();
        }
    }

    /** {@code percpu_ref_is_dying}: killed. */
    public boolean isDying() {
        return dead;
    }

    /** Whether gets and puts still go to the per-CPU counts. */
    public boolean isPercpu() {
        return percpuCounts != null;
    }

    /**
     * The number of references: the atomic count plus every CPU's, read without stopping the
     * CPUs, so exact only at quiescence (diagnostics and tests).
     */
    public long count() {
        long n = count.get() - (folded ? 0 : PERCPU_COUNT_BIAS);
        for (int c = 0; c < cpus.nrCpus(); c++) {
            n += counts[slot(cpus.cpu(c))];
        }
        return n;
    }

    @Override
    public String toString() {
        return kind + " ref of " + owner + ": " + count() + (dead ? " (dead)" : "");
    }
}
