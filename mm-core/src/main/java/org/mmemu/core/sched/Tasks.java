package org.mmemu.core.sched;

import java.util.concurrent.atomic.AtomicInteger;
import org.mmemu.core.mm.MmStruct;

/**
 * Creates tasks and switches {@code current}. Each CPU starts running its idle kernel thread
 * ({@code swapper/N}, no mm), so work done before a test enters a task runs in kernel-thread
 * context, exactly where the kernel bypasses kmem accounting.
 */
public final class Tasks {
    private final Cpus cpus;
    private final AtomicInteger nextPid = new AtomicInteger(1);

    public Tasks(Cpus cpus) {
        this.cpus = cpus;
        for (int i = 0; i < cpus.nrCpus(); i++) {
            cpus.cpu(i).setCurrent(new TaskStruct(0, "swapper/" + i, TaskStruct.PF_KTHREAD, null));
        }
    }

    /** A user task with the given address space (which may be null until one is made). */
    public TaskStruct create(String comm, MmStruct mm) {
        return new TaskStruct(nextPid.getAndIncrement(), comm, 0, mm);
    }

    /** A kernel thread: no mm, {@code PF_KTHREAD}. */
    public TaskStruct createKthread(String comm) {
        return new TaskStruct(nextPid.getAndIncrement(), comm, TaskStruct.PF_KTHREAD, null);
    }

    /** {@code current} on the calling thread's CPU. */
    public TaskStruct current() {
        return cpus.current().current();
    }

    /**
     * Runs {@code task} on the calling thread's CPU until the returned scope is closed, which
     * puts back the task that ran before (a context switch and its reverse).
     */
    public TaskScope enter(TaskStruct task) {
        Cpu cpu = cpus.current();
        TaskStruct previous = cpu.current();
        cpu.setCurrent(task);
        return () -> cpu.setCurrent(previous);
    }

    /** A task switched in by {@link #enter}; closing it switches back. */
    @FunctionalInterface
    public interface TaskScope extends AutoCloseable {
        @Override
        void close();
    }
}
