package org.mmemu.core.rcu;

import static java.util.Objects.requireNonNull;

import com.google.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.mmemu.core.KernelBug;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;

/**
 * Read-copy update (kernel/rcu): read-side critical sections per emulated CPU, and callbacks
 * that run only after every CPU has passed through a quiescent state.
 *
 * <p>Unlike the kernel's, this RCU never runs anything by itself: callbacks queued with
 * {@link #callRcu} wait until some thread calls {@link #synchronizeRcu} or {@link #rcuBarrier},
 * and then run on that thread, in the order they were queued. That keeps every deferred free
 * deterministic: a test decides when a grace period ends and sees exactly which frees it caused.
 *
 * <p>A grace period ends once every CPU that was inside {@code rcu_read_lock} when it started
 * has left its outermost section (a CPU outside any section is already quiescent). Each CPU
 * counts the outermost unlocks it has done; a grace period snapshots the count of every CPU
 * that was reading and waits for it to move.
 *
 * <pre>
 *  reader (cpu1)            updater (cpu0)
 *  rcuReadLock()
 *  ... uses object ...      callRcu(free)            queued, not run
 *                           synchronizeRcu()         waits: cpu1 is reading
 *  rcuReadUnlock()          ...                      cpu1 quiescent: free runs here
 * </pre>
 */
public final class Rcu {
    private final Cpus cpus;
    /** Per CPU: outermost {@code rcu_read_unlock}s done so far (quiescent states passed). */
    private final AtomicLongArray quiescentStates;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Callbacks waiting for a grace period; guarded by {@link #lock}. */
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    /** Grace periods whose callbacks have not finished running; guarded by {@link #lock}. */
    private int gracePeriodsInFlight;
    /** Grace periods completed; guarded by {@link #lock}. */
    private long completed;
    /** Threads waiting for a reader to leave; readers signal only when it is non-zero. */
    private volatile int waiters;

    @Inject
    public Rcu(Cpus cpus) {
        this.cpus = cpus;
        this.quiescentStates = new AtomicLongArray(cpus.nrCpus());
    }

    /** {@code rcu_read_lock}: enters (or nests) a read-side critical section on this CPU. */
    public void rcuReadLock() {
        Cpu cpu = cpus.current();
        cpu.setRcuReadDepth(cpu.rcuReadDepth() + 1);
    }

    /**
     * {@code rcu_read_unlock}: leaves one level; leaving the outermost one is a quiescent state.
     *
     * @throws KernelBug when this CPU holds no read lock (the kernel's lockdep splat, or a
     *     corrupted nesting count without it)
     */
    public void rcuReadUnlock() {
        Cpu cpu = cpus.current();
        int depth = cpu.rcuReadDepth();
        if (depth <= 0) {
            throw new KernelBug("BUG: rcu_read_unlock() on " + cpu + " without a matching"
                    + " rcu_read_lock(): rcu_read_lock_nesting would go to " + (depth - 1));
        }
        cpu.setRcuReadDepth(depth - 1);
        if (depth == 1) {
            // The depth is cleared before the count moves, so a grace period that saw this CPU
            // reading always sees the count move afterwards.
            quiescentStates.incrementAndGet(cpu.id());
            if (waiters > 0) {
                lock.lock();
                try {
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** {@code rcu_read_lock_held}: whether this CPU is inside a read-side critical section. */
    public boolean rcuReadLockHeld() {
        return cpus.current().rcuReadDepth() > 0;
    }

    /**
     * {@code call_rcu}: queues {@code callback} to run after a grace period, that is during a
     * later {@link #synchronizeRcu} or {@link #rcuBarrier}.
     */
    public void callRcu(Runnable callback) {
        requireNonNull(callback, "callback is null");
        lock.lock();
        try {
            pending.addLast(callback);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code synchronize_rcu}: waits until every CPU has been seen outside a read-side critical
     * section since the call, then runs, on the calling thread and in queue order, the callbacks
     * queued before the call. Callbacks queued meanwhile wait for the next grace period. If a
     * callback throws, the others still run and the first failure is rethrown.
     *
     * @throws KernelBug when called inside a read-side critical section, where the kernel
     *     would deadlock ("Illegal synchronize_rcu() in RCU read-side critical section")
     */
    public void synchronizeRcu() {
        Cpu self = cpus.current();
        if (self.rcuReadDepth() > 0) {
            throw new KernelBug("Illegal synchronize_rcu() in RCU read-side critical section on "
                    + self + ": the grace period would wait for this CPU for ever");
        }
        List<Runnable> batch;
        lock.lock();
        try {
            batch = new ArrayList<>(pending);
            pending.clear();
            gracePeriodsInFlight++;
        } finally {
            lock.unlock();
        }
        try {
            waitForReaders();
            invoke(batch);
        } finally {
            lock.lock();
            try {
                gracePeriodsInFlight--;
                completed++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * {@code rcu_barrier}: runs a grace period and waits until every callback queued before the
     * call has run, including those another thread's grace period is running. Like the kernel's,
     * it must not be called from a callback.
     */
    public void rcuBarrier() {
        synchronizeRcu();
        lock.lock();
        try {
            while (gracePeriodsInFlight > 0) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Callbacks queued and not yet handed to a grace period (a leak check wants zero). */
    public int pendingCallbacks() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** Grace periods completed so far. */
    public long completedGracePeriods() {
        lock.lock();
        try {
            return completed;
        } finally {
            lock.unlock();
        }
    }

    private void waitForReaders() {
        int n = cpus.nrCpus();
        long[] seen = new long[n];
        boolean[] reading = new boolean[n];
        for (int i = 0; i < n; i++) {
            // Count first, then depth: the reverse of rcuReadUnlock's order.
            seen[i] = quiescentStates.get(i);
            reading[i] = cpus.cpu(i).rcuReadDepth() > 0;
        }
        lock.lock();
        try {
            waiters++;
            for (int i = 0; i < n; i++) {
                while (reading[i] && quiescentStates.get(i) == seen[i]) {
                    changed.awaitUninterruptibly();
                }
            }
        } finally {
            waiters--;
            lock.unlock();
        }
    }

    private static void invoke(List<Runnable> batch) {
        Throwable first = null;
        for (Runnable callback : batch) {
            try {
                callback.run();
            } catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first != null) {
            throw (Error) first;
        }
    }
}
