package org.mmemu.core.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.cred.Cred;
import org.mmemu.core.cred.InitRlimits;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.cred.UserStructs;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.fs.OpenFiles;
import org.mmemu.core.mm.MmStruct;

/**
 * Creates tasks, keeps the pid table ({@code find_task_by_vpid}) and switches {@code current}.
 * Each CPU starts running its idle kernel thread ({@code swapper/N}, no mm, pid 0, not in the
 * table), so work done before a test enters a task runs in kernel-thread context, exactly where
 * the kernel bypasses kmem accounting.
 *
 * <p>A task made by {@link #create} is as if init had forked it: root's credentials
 * ({@code init_cred}), init's limits ({@link InitRlimits}, the era's defaults) and an empty fd
 * table. {@link Fork#copyProcess} copies a task; {@link Exit#doExit} ends one and takes it out
 * of the table.
 */
public final class Tasks {
    private final Cpus cpus;
    private final AtomicInteger nextPid = new AtomicInteger(1);
    private final ConcurrentSkipListMap<Integer, TaskStruct> pids = new ConcurrentSkipListMap<>();
    private final Cred initCred;
    private final Rlimits initRlimits;
    private final OpenFiles openFiles;

    public Tasks(Cpus cpus, InitRlimits initRlimits, UserStructs users, OpenFiles openFiles) {
        this.cpus = cpus;
        this.openFiles = openFiles;
        this.initCred = Cred.initCred(users);
        this.initRlimits = initRlimits.initRlimits();
        for (int i = 0; i < cpus.nrCpus(); i++) {
            cpus.cpu(i).setCurrent(new TaskStruct(0, "swapper/" + i, TaskStruct.PF_KTHREAD, null,
                    initCred.get(), initRlimits(), null));
        }
    }

    /** A user task with the given address space (which may be null until one is made). */
    public TaskStruct create(String comm, MmStruct mm) {
        return alloc(comm, 0, mm, initCred.get(), initRlimits(), new FilesStruct(openFiles));
    }

    /** A kernel thread: no mm, no files, {@code PF_KTHREAD}. */
    public TaskStruct createKthread(String comm) {
        return alloc(comm, TaskStruct.PF_KTHREAD, null, initCred.get(), initRlimits(), null);
    }

    /** A new task with the next pid, in the pid table ({@code alloc_pid} and {@code attach_pid}). */
    TaskStruct alloc(String comm, int flags, MmStruct mm, Cred cred, Rlimits rlimits, FilesStruct files) {
        TaskStruct task = new TaskStruct(nextPid.getAndIncrement(), comm, flags, mm, cred, rlimits, files);
        pids.put(task.pid(), task);
        return task;
    }

    /** {@code release_task}'s {@code __unhash_process}: the pid no longer finds the task. */
    void unhash(TaskStruct task) {
        pids.remove(task.pid(), task);
    }

    /** A copy of init's limits. */
    private Rlimits initRlimits() {
        return initRlimits.copy();
    }

    /** {@code find_task_by_vpid}: the task with this pid that has not exited, or null. */
    public TaskStruct findTaskByVpid(int pid) {
        return pids.get(pid);
    }

    /** Every task that has not exited, by pid ({@code for_each_process}). */
    public List<TaskStruct> tasks() {
        return new ArrayList<>(pids.values());
    }

    /** {@code current} on the calling thread's CPU. */
    public TaskStruct current() {
        return cpus.current().current();
    }

    /**
     * Runs {@code task} on the calling thread's CPU until the returned scope is closed, which
     * puts back the task that ran before (a context switch and its reverse). While it runs, the
     * task counts as running ({@link TaskStruct#isRunning}): a kill then only marks it.
     *
     * @throws ErrnoException {@code ESRCH} if SIGKILL is pending for the task: it is being
     *     exited (or was), and a killed task is never scheduled again
     */
    public TaskScope enter(TaskStruct task) {
        Cpu cpu = cpus.current();
        TaskStruct previous = switchIn(cpu, task);
        return () -> switchOut(cpu, previous, task);
    }

    /**
     * The first half of {@link #enter} without a scope object (what a system call's fast path
     * uses so as to allocate nothing): {@code task} runs on {@code cpu}, the calling thread's.
     *
     * @return the task that ran before, for {@link #switchOut}
     * @throws ErrnoException as {@link #enter}
     */
    public TaskStruct switchIn(Cpu cpu, TaskStruct task) {
        if (!task.startRunning()) {
            throw new ErrnoException(Errno.ESRCH, task + " is killed");
        }
        TaskStruct previous = cpu.current();
        cpu.setCurrent(task);
        return previous;
    }

    /** The second half of {@link #enter}: {@code previous} runs on {@code cpu} again instead of {@code task}. */
    public void switchOut(Cpu cpu, TaskStruct previous, TaskStruct task) {
        cpu.setCurrent(previous);
        task.stopRunning();
    }

    /** A task switched in by {@link #enter}; closing it switches back. */
    @FunctionalInterface
    public interface TaskScope extends AutoCloseable {
        @Override
        void close();
    }
}
