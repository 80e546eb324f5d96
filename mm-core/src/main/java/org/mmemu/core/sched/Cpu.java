package org.mmemu.core.sched;

import java.util.ArrayDeque;

/**
 * An emulated CPU. A Java thread is bound to at most one CPU of a machine and a CPU to at most
 * one live thread, which gives per-CPU data the kernel's "preemption off" exclusivity without a
 * lock or an atomic instruction. {@link #current()} is the CPU's {@code current} task.
 *
 * <p>Another thread never touches this CPU's per-CPU data while a live thread owns it: it queues
 * work ({@link Cpus#scheduleWorkOn}), which the owner runs at its next schedule point, as a
 * kernel CPU runs the work items queued on it.
 */
public final class Cpu {
    private final int id;
    private volatile Thread owner;
    private TaskStruct current;
    private volatile int rcuReadDepth;
    /** Work queued for the owner; guarded by the {@link Cpus} monitor. */
    private final ArrayDeque<Runnable> work = new ArrayDeque<>();
    /** Whether {@link #work} is non-empty: read without the monitor on hot paths. */
    private volatile boolean workPending;
    /** Owned for a moment by a thread running work for it (guarded by the Cpus monitor). */
    private boolean borrowed;

    Cpu(int id) {
        this.id = id;
    }

    /** {@code smp_processor_id}. */
    public int id() {
        return id;
    }

    /** The task running on this CPU ({@code current}); never null once the machine booted. */
    public TaskStruct current() {
        return current;
    }

    void setCurrent(TaskStruct task) {
        current = task;
    }

    Thread owner() {
        return owner;
    }

    void setOwner(Thread thread) {
        owner = thread;
    }

    /** Whether a live thread owns this CPU (its owner or a thread running work for it). */
    boolean hasLiveOwner() {
        Thread t = owner;
        return t != null && t.isAlive();
    }

    /**
     * Whether {@code thread} is bound to this CPU: it owns it, and not just for a borrowed run of
     * its work. Exact for the calling thread, which alone binds itself and borrows.
     */
    boolean isBoundTo(Thread thread) {
        return owner == thread && !borrowed;
    }

    boolean isBorrowed() {
        return borrowed;
    }

    void setBorrowed(boolean borrowed) {
        this.borrowed = borrowed;
    }

    /**
     * Whether work is queued for this CPU: one volatile read, for the schedule points on hot
     * paths ({@link Cpus#runPendingWork(Cpu)} runs it).
     */
    public boolean hasPendingWork() {
        return workPending;
    }

    /** Queues {@code w}; called under the Cpus monitor. */
    void queueWork(Runnable w) {
        work.addLast(w);
        workPending = true;
    }

    /** The next queued work item or null; called under the Cpus monitor. */
    Runnable pollWork() {
        Runnable w = work.pollFirst();
        workPending = !work.isEmpty();
        return w;
    }

    /** {@code rcu_read_lock} nesting on this CPU. */
    public int rcuReadDepth() {
        return rcuReadDepth;
    }

    /**
     * Sets the {@code rcu_read_lock} nesting; only the RCU implementation
     * ({@code org.mmemu.core.rcu.Rcu}) calls it, from the thread bound to this CPU. Volatile, so
     * a grace period running on another CPU sees the reader leave.
     */
    public void setRcuReadDepth(int depth) {
        rcuReadDepth = depth;
    }

    @Override
    public String toString() {
        return "cpu" + id;
    }
}
