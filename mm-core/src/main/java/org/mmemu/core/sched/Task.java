package org.mmemu.core.sched;

import org.mmemu.core.mm.MmStruct;

/**
 * An emulated {@code task_struct}: what the memory paths ask of {@code current}.
 */
public final class Task {
    /** {@code PF_EXITING}: getting shut down. */
    public static final int PF_EXITING = 0x00000004;
    /** {@code PF_MEMALLOC}: may dip into reserves; memcg charges are forced. */
    public static final int PF_MEMALLOC = 0x00000800;
    /** {@code PF_KTHREAD}: a kernel thread; kmem accounting is bypassed. */
    public static final int PF_KTHREAD = 0x00200000;

    /** {@code OOM_SCORE_ADJ_MIN}: never chosen by the OOM killer. */
    public static final int OOM_SCORE_ADJ_MIN = -1000;

    private final int pid;
    private final String comm;
    private volatile int flags;
    private volatile MmStruct mm;
    private volatile Object cgroups;
    private volatile int oomScoreAdj;

    Task(int pid, String comm, int flags, MmStruct mm) {
        this.pid = pid;
        this.comm = comm;
        this.flags = flags;
        this.mm = mm;
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

    public void setFlag(int flag) {
        flags |= flag;
    }

    public void clearFlag(int flag) {
        flags &= ~flag;
    }

    /** {@code task->mm}; null for kernel threads and exited tasks. */
    public MmStruct mm() {
        return mm;
    }

    public void setMm(MmStruct mm) {
        this.mm = mm;
    }

    /**
     * {@code task->cgroups}: the cgroup membership, owned by the memcg module (mm-core knows
     * nothing of cgroups and only keeps the slot).
     */
    public Object cgroups() {
        return cgroups;
    }

    public void setCgroups(Object cgroups) {
        this.cgroups = cgroups;
    }

    /** {@code signal->oom_score_adj}, -1000..1000. */
    public int oomScoreAdj() {
        return oomScoreAdj;
    }

    public void setOomScoreAdj(int adj) {
        if (adj < -1000 || adj > 1000) {
            throw new IllegalArgumentException("oom_score_adj out of range: " + adj);
        }
        this.oomScoreAdj = adj;
    }

    @Override
    public String toString() {
        return comm + "[" + pid + "]";
    }
}
