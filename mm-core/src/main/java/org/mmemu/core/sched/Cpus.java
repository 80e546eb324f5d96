package org.mmemu.core.sched;

import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The machine's CPUs and the binding of Java threads to them.
 *
 * <p>A thread that touches per-CPU state without having bound itself is bound to the lowest
 * free CPU; {@link #bind(int)} chooses one explicitly and {@link #unbind()} gives it back. A CPU
 * whose owning thread has died is free again. Binding is per machine: one thread may run on
 * CPU 0 of two machines at once.
 *
 * <p>A CPU's per-CPU data is touched only by the thread that owns it, so hot paths need neither
 * locks nor atomic instructions. What another thread needs done there (draining a CPU's charge
 * stock, folding a per-CPU reference count) is per-CPU work, as in the kernel:
 * {@link #scheduleWorkOn} runs it at once on a CPU no live thread owns, and otherwise queues it
 * for the owner's next schedule point.
 */
public final class Cpus {
    /** How long {@link #flushWork} waits for a live thread to run its CPU's work. */
    public static final int FLUSH_TIMEOUT_SECONDS = 10;

    /** Slots of {@link #lastBound}, a power of two. */
    static final int LAST_BOUND_SLOTS = 64;

    private final Cpu[] cpus;
    private final ThreadLocal<Cpu> bound = new ThreadLocal<>();
    /**
     * The CPU a thread was last found bound to, by thread id modulo the slots: a hint that
     * {@link #current()} checks against the CPU's owner, so that a bound thread finds its CPU
     * without the longer load chain of a ThreadLocal lookup. Written racily, only when the hint
     * missed; a stale or colliding hint fails the check and costs one ThreadLocal lookup.
     */
    private final Cpu[] lastBound = new Cpu[LAST_BOUND_SLOTS];
    /** The CPU a thread with no CPU of its own is running work for, if any. */
    private final ThreadLocal<Cpu> borrowing = new ThreadLocal<>();

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

    /**
     * The calling thread's CPU, binding it to a free one first if needed. A thread with no CPU
     * that is running work for a CPU ({@link #scheduleWorkOn}) is that CPU meanwhile, as the
     * kernel's work runs on the CPU it was queued on.
     */
    public Cpu current() {
        Thread me = Thread.currentThread();
        Cpu hint = lastBound[slot(me)];
        if (hint != null && hint.isBoundTo(me)) {
            return hint;
        }
        Cpu c = bound.get();
        if (c == null) {
            return borrowedOrBind();
        }
        lastBound[slot(me)] = c;
        return c;
    }

    private static int slot(Thread thread) {
        return (int) thread.getId() & (LAST_BOUND_SLOTS - 1);
    }

    private Cpu borrowedOrBind() {
        Cpu b = borrowing.get();
        return b != null ? b : bindFirstFree();
    }

    /**
     * The calling thread's CPU (or the one it is running work for), or null if it has none: for
     * paths that have a CPU-less way to do their work (an atomic count) and should not bind a
     * thread just for it.
     */
    public Cpu currentIfBound() {
        Cpu c = bound.get();
        return c != null ? c : borrowing.get();
    }

    /**
     * Binds the calling thread to CPU {@code id}; fails if a live thread owns it. A thread
     * moving from another CPU first runs the work queued for the one it leaves.
     */
    public Cpu bind(int id) {
        Cpu c = cpus[id];
        Thread me = Thread.currentThread();
        while (true) {
            Cpu old = bound.get();
            if (old == c) {
                return c;
            }
            if (old != null) {
                runPendingWork(old);
            }
            synchronized (this) {
                awaitNotBorrowed(c);
                Thread owner = c.owner();
                if (owner != null && owner != me && owner.isAlive()) {
                    throw new IllegalStateException(c + " is bound to thread " + owner.getName());
                }
                if (old != null) {
                    if (old.hasPendingWork()) {
                        continue;
                    }
                    old.setOwner(null);
                }
                c.setOwner(me);
                bound.set(c);
                return c;
            }
        }
    }

    /** Releases the calling thread's CPU, if any, after running the work queued for it. */
    public void unbind() {
        while (true) {
            Cpu c = bound.get();
            if (c == null) {
                return;
            }
            runPendingWork(c);
            synchronized (this) {
                if (!c.hasPendingWork()) {
                    c.setOwner(null);
                    bound.remove();
                    notifyAll();
                    return;
                }
            }
        }
    }

    private synchronized Cpu bindFirstFree() {
        for (Cpu c : cpus) {
            if (!c.hasLiveOwner()) {
                c.setOwner(Thread.currentThread());
                bound.set(c);
                return c;
            }
        }
        throw new IllegalStateException("all " + cpus.length + " emulated CPUs are bound to live"
                + " threads: unbind one, or boot the machine with more CPUs");
    }

    // ---- per-CPU work --------------------------------------------------------------------------

    /**
     * {@code schedule_work_on(cpu, work)}: runs {@code work} for {@code cpu}, so that it may use
     * {@code cpu}'s per-CPU data. The caller runs it at once when {@code cpu} is its own or no
     * live thread owns it (holding the CPU meanwhile, so no thread binds it under the work);
     * otherwise the work is queued and the thread owning {@code cpu} runs it at its next schedule
     * point: {@link #condResched}, a hot path's {@link #runPendingWork}, binding elsewhere or
     * unbinding. As in the kernel, the caller does not wait for queued work
     * ({@link #flushWork} does).
     *
     * <p>Work run for a CPU that is not the thread's own must touch no per-CPU data but that
     * CPU's and, through {@link #current()}, the thread's own CPU's.
     */
    public void scheduleWorkOn(Cpu cpu, Runnable work) {
        if (bound.get() == cpu) {
            work.run();
            return;
        }
        synchronized (this) {
            cpu.queueWork(work);
            if (cpu.hasLiveOwner()) {
                notifyAll();
                return;
            }
            borrow(cpu);
        }
        runBorrowed(cpu);
    }

    /**
     * {@code queue_work_on(cpu, wq, work)} for work that runs in a kworker, later: unlike
     * {@link #scheduleWorkOn} the caller never runs {@code work} itself, even on its own CPU, so
     * what the caller does next happens before it, as in the kernel. The thread owning
     * {@code cpu} runs it at its next schedule point, or {@link #flushWork} does.
     */
    public void queueWork(Cpu cpu, Runnable work) {
        synchronized (this) {
            cpu.queueWork(work);
            notifyAll();
        }
    }

    /**
     * {@link #scheduleWorkOn} on every CPU that {@code work} gives an item for (null: none), as
     * the kernel queues one work item per CPU ({@code schedule_on_each_cpu} without its wait).
     * Every CPU gets its item even when running another one's fails; the first failure is then
     * thrown, with the later ones suppressed in it.
     */
    public void scheduleWorkOnEach(IntFunction<Runnable> work) {
        RuntimeException failed = null;
        for (Cpu cpu : cpus) {
            Runnable w = work.apply(cpu.id());
            if (w == null) {
                continue;
            }
            try {
                scheduleWorkOn(cpu, w);
            } catch (RuntimeException e) {
                failed = withFailure(failed, e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * A schedule point: runs the work queued for {@code cpu}, which must be the calling thread's
     * CPU (or one it is running work for). Hot paths test {@link Cpu#hasPendingWork()} first,
     * one volatile read, and call this only when it says so.
     */
    public void runPendingWork(Cpu cpu) {
        if (cpu.owner() != Thread.currentThread()) {
            throw new IllegalStateException(cpu + " is not the calling thread's CPU");
        }
        RuntimeException failed = null;
        while (true) {
            Runnable w;
            synchronized (this) {
                w = cpu.pollWork();
                if (w == null) {
                    notifyAll();
                    break;
                }
            }
            try {
                w.run();
            } catch (RuntimeException e) {
                // The rest of the queue still runs; the first failure reaches the caller.
                failed = withFailure(failed, e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** {@code cond_resched}: runs the work queued for the calling thread's CPU, if any. */
    public void condResched() {
        Cpu c = bound.get();
        if (c != null && c.hasPendingWork()) {
            runPendingWork(c);
        }
    }

    /**
     * {@code flush_scheduled_work}: returns once no CPU has work queued. The caller runs the work
     * of its own CPU and of every CPU no live thread owns; for a CPU whose live thread must run
     * its own it waits, and fails with an {@link IllegalStateException} naming that thread if it
     * reaches no schedule point within {@link #FLUSH_TIMEOUT_SECONDS} seconds.
     */
    public void flushWork() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLUSH_TIMEOUT_SECONDS);
        for (Cpu c : cpus) {
            while (c.hasPendingWork()) {
                // Our own CPU's work first, also while waiting for another: two threads
                // flushing at once each run what the other queued on them.
                Cpu self = bound.get();
                if (self != null && self.hasPendingWork()) {
                    runPendingWork(self);
                    continue;
                }
                synchronized (this) {
                    if (!c.hasPendingWork()) {
                        break;
                    }
                    if (c.hasLiveOwner()) {
                        awaitSchedulePoint(c, deadline);
                        continue;
                    }
                    borrow(c);
                }
                runBorrowed(c);
            }
        }
    }

    /** The first of several failures, with the later ones attached to it as suppressed. */
    static RuntimeException withFailure(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Takes {@code cpu}, which no live thread owns, to run its work; under the monitor. */
    private void borrow(Cpu cpu) {
        cpu.setOwner(Thread.currentThread());
        cpu.setBorrowed(true);
    }

    /** Runs the queue of a borrowed CPU, in order, then gives the CPU back. */
    private void runBorrowed(Cpu cpu) {
        Cpu outer = borrowing.get();
        if (bound.get() == null) {
            borrowing.set(cpu);
        }
        RuntimeException failed = null;
        try {
            while (true) {
                try {
                    runPendingWork(cpu);
                } catch (RuntimeException e) {
                    failed = withFailure(failed, e);
                }
                synchronized (this) {
                    // Given back in the block that saw the queue empty: work queued after it
                    // finds no live owner and is run by whoever queues it.
                    if (!cpu.hasPendingWork()) {
                        cpu.setOwner(null);
                        cpu.setBorrowed(false);
                        notifyAll();
                        break;
                    }
                }
            }
        } finally {
            if (outer == null) {
                borrowing.remove();
            } else {
                borrowing.set(outer);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** Waits, under the monitor, until no thread runs work for {@code cpu}. */
    private void awaitNotBorrowed(Cpu cpu) {
        if (cpu.isBorrowed() && cpu.owner() == Thread.currentThread()) {
            throw new IllegalStateException(cpu + " is running work for this thread: it cannot bind it");
        }
        while (cpu.isBorrowed()) {
            waitOnMonitor(0);
        }
    }

    /** Waits, under the monitor, for {@code cpu}'s owner to reach a schedule point. */
    private void awaitSchedulePoint(Cpu cpu, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IllegalStateException(cpu + " has work queued that its thread "
                    + cpu.owner().getName() + " has not run: let that thread reach a schedule point"
                    + " (Cpus.condResched) or unbind its CPU");
        }
        waitOnMonitor(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(left))));
    }

    private void waitOnMonitor(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for another CPU's work", e);
        }
    }

    /** {@code DEFINE_PER_CPU}: a variable with one instance per CPU. */
    public <T> PerCpu<T> perCpu(IntFunction<T> factory) {
        return new PerCpu<>(this, factory);
    }
}
