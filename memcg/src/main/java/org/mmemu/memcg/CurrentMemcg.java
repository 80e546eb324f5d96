package org.mmemu.memcg;

import com.google.inject.Inject;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/**
 * Which memcg the current context charges (include/linux/sched/mm.h, mm/memcontrol.c):
 * {@code set_active_memcg} for remote charging, {@code memcg_kmem_bypass},
 * {@code get_mem_cgroup_from_current}.
 *
 * <p>The active memcg is per task ({@code current->active_memcg}). Interrupt context (the
 * per-CPU {@code int_active_memcg} and the in-interrupt bypass) is not modelled: mm-core has
 * no interrupt context.
 */
public final class CurrentMemcg {
    private final Tasks tasks;
    private final Cpus cpus;
    private final CgroupTree tree;
    private final KernelLog log;

    @Inject
    public CurrentMemcg(Tasks tasks, Cpus cpus, CgroupTree tree, KernelLog log) {
        this.tasks = tasks;
        this.cpus = cpus;
        this.tree = tree;
        this.log = log;
    }

    /**
     * {@code set_active_memcg}: until the returned scope is closed, accounted allocations of the
     * current task are charged to {@code memcg} (null clears the override). The caller keeps
     * {@code memcg} alive for the scope, as in the kernel. Scopes nest.
     */
    public ActiveMemcgScope setActiveMemcg(MemCgroup memcg) {
        TaskMemcg t = TaskMemcg.of(tasks.current(), tree.root());
        MemCgroup old = t.activeMemcg;
        t.activeMemcg = memcg;
        return () -> t.activeMemcg = old;
    }

    /** {@code active_memcg()}: the current task's override, or null. */
    public MemCgroup activeMemcg() {
        return activeMemcgOf(tasks.current());
    }

    private static MemCgroup activeMemcgOf(TaskStruct task) {
        TaskMemcg t = TaskMemcg.peek(task);
        return t == null ? null : t.activeMemcg;
    }

    /**
     * {@code memcg_kmem_bypass}: kernel memory of kernel threads and tasks without an mm is not
     * charged, unless an active memcg says where to charge it.
     */
    public boolean kmemBypass() {
        TaskStruct current = tasks.current();
        return activeMemcgOf(current) == null && isKernelContext(current);
    }

    private static boolean isKernelContext(TaskStruct current) {
        return current.mm() == null || current.hasFlag(TaskStruct.PF_KTHREAD);
    }

    /**
     * The memcg the current context charges, without taking a reference (what
     * {@code current_obj_cgroup} starts from): null when accounting is bypassed.
     */
    public MemCgroup chargeTarget() {
        return chargeTarget(tasks.current());
    }

    /** {@link #chargeTarget()} of the task running on {@code cpu}, the calling thread's CPU. */
    public MemCgroup chargeTarget(Cpu cpu) {
        return chargeTarget(cpu.current());
    }

    private MemCgroup chargeTarget(TaskStruct current) {
        TaskMemcg t = TaskMemcg.peek(current);
        if (t != null && t.activeMemcg != null) {
            return t.activeMemcg;
        }
        return isKernelContext(current) ? null : tree.memcgOf(t);
    }

    /**
     * {@code get_mem_cgroup_from_current}: null when accounting is bypassed, otherwise the
     * active memcg or the current task's cgroup, with a css reference the caller must drop.
     * An active memcg already released falls back to the root with a warning, as the kernel's
     * failed {@code css_tryget} does.
     */
    public MemCgroup getMemCgroupFromCurrent() {
        return getMemCgroupFromCurrent(cpus.current());
    }

    /** {@link #getMemCgroupFromCurrent()} on {@code cpu}, the calling thread's CPU. */
    public MemCgroup getMemCgroupFromCurrent(Cpu cpu) {
        MemCgroup memcg = chargeTarget(cpu.current());
        if (memcg == null) {
            return null;
        }
        if (memcg.cssTryGet(cpu)) {
            return memcg;
        }
        log.printk("WARNING: get_mem_cgroup_from_current: css_tryget failed on " + memcg
                + ", charging the root");
        MemCgroup root = tree.root();
        root.cssGet(1);
        return root;
    }
}
