package org.mmemu.core.sched;

import org.mmemu.core.Errno;
import org.mmemu.core.mm.MmStruct;

/**
 * An emulated {@code task_struct} ({@code include/linux/sched.h}): what the memory paths ask of
 * {@code current}. The facade's user-space process handle is {@code Task}; this is the kernel side.
 */
public final class TaskStruct {
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

    private final int pid;
    private final String comm;
    private volatile int flags;
    private volatile MmStruct mm;
    private volatile Object cgroups;
    private volatile int oomScoreAdj;

    TaskStruct(int pid, String comm, int flags, MmStruct mm) {
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
}
