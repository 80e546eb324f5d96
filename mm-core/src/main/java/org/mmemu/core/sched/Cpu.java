package org.mmemu.core.sched;

/**
 * An emulated CPU. A Java thread is bound to at most one CPU of a machine and a CPU to at most
 * one live thread, which gives per-CPU data the kernel's "preemption off" exclusivity without a
 * lock. {@link #current()} is the CPU's {@code current} task.
 */
public final class Cpu {
    private final int id;
    private volatile Thread owner;
    private Task current;
    private volatile int rcuReadDepth;

    Cpu(int id) {
        this.id = id;
    }

    /** {@code smp_processor_id}. */
    public int id() {
        return id;
    }

    /** The task running on this CPU ({@code current}); never null once the machine booted. */
    public Task current() {
        return current;
    }

    void setCurrent(Task task) {
        current = task;
    }

    Thread owner() {
        return owner;
    }

    void setOwner(Thread thread) {
        owner = thread;
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
