package org.mmemu.core.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Cred;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.mm.MmStruct;

/**
 * An emulated {@code task_struct} ({@code include/linux/sched.h}): what the memory paths ask of
 * {@code current}: its mm, files, credentials and limits, and the state of its life (running,
 * exiting with {@link #PF_EXITING}, dead with an {@link #exitState}). The facade's user-space
 * process handle is {@code Task}; this is the kernel side.
 *
 * <p>Each module keeps its own per-task state in a slot it declares with a {@link Key}
 * (memcg: the task's cgroup), as the kernel's {@code task_struct} has a field per subsystem;
 * the module releases it from its {@link TaskExitHook}.
 */
public final class TaskStruct {
    /**
     * {@code EXIT_DEAD}: exited and reaped. The emulator's tasks reap themselves (no
     * {@code wait}), so none is ever {@code EXIT_ZOMBIE}.
     */
    public static final int EXIT_DEAD = 0x0010;

    /** {@code PF_EXITING}: getting shut down. */
    public static final int PF_EXITING = 0x00000004;
    /** {@code PF_MEMALLOC}: may dip into reserves; memcg charges are forced. */
    public static final int PF_MEMALLOC = 0x00000800;
    /** {@code PF_KTHREAD}: a kernel thread; kmem accounting is bypassed. */
    public static final int PF_KTHREAD = 0x00200000;

    /** {@code OOM_SCORE_ADJ_MIN}: never chosen by the OOM killer. */
    public static final int OOM_SCORE_ADJ_MIN = -1000;
    /** {@code OOM_SCORE_ADJ_MAX}: always chosen first. */
    public static final int OOM_SCORE_ADJ_MAX = 1000;

    /** {@link #runState}'s bit: SIGKILL is pending ({@code fatal_signal_pending}). */
    private static final int SIGKILL_PENDING = 1 << 30;
    private static final VarHandle RUN_STATE;

    static {
        try {
            RUN_STATE = MethodHandles.lookup().findVarHandle(TaskStruct.class, "runState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int pid;
    private final String comm;
    /**
     * How many CPUs run the task ({@link Tasks#enter} scopes, nested ones too), with
     * {@link #SIGKILL_PENDING}: one word, changed by CAS, so that a kill and a CPU that starts
     * running the task agree on who exits it ({@code task_curr} and the signal, made atomic).
     */
    private volatile int runState;
    private volatile int flags;
    private volatile MmStruct mm;
    private volatile int oomScoreAdj;
    private volatile int exitState;
    private volatile FilesStruct files;
    private volatile Cred cred;
    private final Rlimits rlimits;
    /** The modules' slots, indexed by {@link Key#index}; copied on write. */
    private volatile Object[] slots = new Object[0];

    TaskStruct(int pid, String comm, int flags, MmStruct mm, Cred cred, Rlimits rlimits,
               FilesStruct files) {
        this.pid = pid;
        this.comm = comm;
        this.flags = flags;
        this.mm = mm;
        this.cred = cred;
        this.rlimits = rlimits;
        this.files = files;
    }

    public int pid() {
        return pid;
    }

    /** {@code task->comm}, as bad-page reports print it. */
    public String comm() {
        return comm;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public synchronized void setFlag(int flag) {
        flags |= flag;
    }

    public synchronized void clearFlag(int flag) {
        flags &= ~flag;
    }

    /**
     * {@code exit_signals}: sets {@link #PF_EXITING} unless the task is exiting or dead already.
     *
     * @return whether this call started the exit
     */
    synchronized boolean startExit() {
        if (!isAlive()) {
            return false;
        }
        flags |= PF_EXITING;
        return true;
    }

    /**
     * A CPU starts running the task ({@link Tasks#enter}), or runs it once more (a nested
     * enter, another CPU): a killed task still in a system call goes on until it leaves it.
     *
     * @return false, changing nothing, if SIGKILL is pending and no CPU runs the task: it is
     *     exited, or being exited, and is never scheduled again
     */
    boolean startRunning() {
        int s;
        do {
            s = runState;
            if (s == SIGKILL_PENDING) {
                return false;
            }
        } while (!RUN_STATE.compareAndSet(this, s, s + 1));
        return true;
    }

    /** A CPU stops running the task (the scope of {@link Tasks#enter} closes). */
    void stopRunning() {
        RUN_STATE.getAndAdd(this, -1);
    }

    /** Whether some CPU runs the task now. */
    public boolean isRunning() {
        return (runState & ~SIGKILL_PENDING) != 0;
    }

    /**
     * Sends SIGKILL ({@code __send_signal} and {@code signal_wake_up}): a task that a CPU runs
     * notices it on its way back to user space and exits itself there; one that no CPU runs is
     * never run again, and exits where it would next be scheduled.
     *
     * @return true if no CPU ran the task and no SIGKILL was pending: the caller exits it now,
     *     in its stead; false if some CPU runs it (the last to leave it exits it) or it was
     *     killed already
     */
    public boolean sendSigkill() {
        return (int) RUN_STATE.getAndBitwiseOr(this, SIGKILL_PENDING) == 0;
    }

    /** {@code fatal_signal_pending}: SIGKILL was sent and the task has not begun to exit. */
    public boolean fatalSignalPending() {
        return (runState & SIGKILL_PENDING) != 0 && isAlive();
    }

    /** {@code task->mm}; null for kernel threads and exited tasks. */
    public MmStruct mm() {
        return mm;
    }

    public void setMm(MmStruct mm) {
        this.mm = mm;
    }

    /** {@code task->files}; null for a task without files (kernel threads, exited tasks). */
    public FilesStruct files() {
        return files;
    }

    /** Sets {@code task->files}; fork and exit do. */
    public void setFiles(FilesStruct files) {
        this.files = files;
    }

    /** {@code task->cred} ({@code current_cred()} of the task): never null. */
    public Cred cred() {
        return cred;
    }

    /**
     * {@code commit_creds}: installs {@code newCred}, whose reference the task takes over, and
     * drops the task's reference on the old credentials.
     */
    public void commitCreds(Cred newCred) {
        Cred old;
        synchronized (this) {
            old = cred;
            cred = newCred;
        }
        old.put();
    }

    /** {@code task->signal->rlim}. */
    public Rlimits rlimits() {
        return rlimits;
    }

    /** {@code rlimit(resource)} of this task: the soft limit. */
    public long rlimit(int resource) {
        return rlimits.cur(resource);
    }

    /** {@code task->exit_state}: 0 while the task runs, {@link #EXIT_DEAD} once it exited. */
    public int exitState() {
        return exitState;
    }

    void setExitState(int state) {
        this.exitState = state;
    }

    /** Neither exiting ({@link #PF_EXITING}) nor dead: calls on its behalf are accepted. */
    public boolean isAlive() {
        return (flags & PF_EXITING) == 0 && exitState == 0;
    }

    /** The module state in {@code key}'s slot, or null. */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        Object[] s = slots;
        return key.index < s.length ? (T) s[key.index] : null;
    }

    /** Sets {@code key}'s slot (null empties it). */
    public synchronized <T> void set(Key<T> key, T value) {
        Object[] s = Arrays.copyOf(slots, Math.max(slots.length, key.index + 1));
        s[key.index] = value;
        slots = s;
    }

    /** {@code key}'s state, created by {@code create} and set if the slot was empty. */
    public <T> T getOrCreate(Key<T> key, Supplier<? extends T> create) {
        T value = get(key);
        if (value != null) {
            return value;
        }
        synchronized (this) {
            value = get(key);
            if (value == null) {
                value = create.get();
                set(key, value);
            }
            return value;
        }
    }

    /** {@code signal->oom_score_adj}, -1000..1000. */
    public int oomScoreAdj() {
        return oomScoreAdj;
    }

    /**
     * A write of {@code /proc/<pid>/oom_score_adj} ({@code __set_oom_adj}).
     *
     * @return 0, or {@code -EINVAL} for a value outside -1000..1000, which is then left as it was
     */
    public int setOomScoreAdj(int adj) {
        if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX) {
            return Errno.EINVAL.negative();
        }
        this.oomScoreAdj = adj;
        return 0;
    }

    @Override
    public String toString() {
        return comm + "[" + pid + "]";
    }

    /**
     * A module's slot in every task: declare one as a constant and read it with
     * {@link TaskStruct#get(Key)}.
     *
     * @param <T> the type of the module's per-task state
     */
    public static final class Key<T> {
        private static final AtomicInteger NEXT = new AtomicInteger();

        private final String name;
        private final int index;

        private Key(String name) {
            this.name = name;
            this.index = NEXT.getAndIncrement();
        }

        /** A new slot; {@code name} is for diagnostics ("memcg"). */
        public static <T> Key<T> named(String name) {
            return new Key<>(name);
        }

        @Override
        public String toString() {
            return "task key " + name;
        }
    }
}
