package org.mmemu.memcg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.mmemu.core.sched.TaskStruct;

/**
 * What the memcg module keeps in a task's {@link #KEY} slot: the cgroup the task is
 * in ({@code task->cgroups}, memory css only) and its remote-charging override
 * ({@code task->active_memcg}). A task that never joined a cgroup belongs to the root.
 */
final class TaskMemcg {
    /** memcg's slot in every task ({@code task->cgroups}). */
    static final TaskStruct.Key<TaskMemcg> KEY = TaskStruct.Key.named("memcg");

    volatile MemCgroup cgroup;
    /** {@code current->active_memcg}: only the task itself reads or writes it. */
    MemCgroup activeMemcg;
    /** {@code tsk_is_oom_victim}: the OOM killer chose this task. */
    volatile boolean oomVictim;
    /**
     * {@code current->objcg} (6.8+): the obj_cgroup the task charges, with a reference the task
     * holds. The task itself installs it; {@link CgroupTree#exit}, which another thread may run
     * (the OOM killer), takes it out, hence the atomic exchange ({@link #takeObjcg}).
     */
    volatile ObjCgroup objcg;
    /** {@code mem_cgroup_exit} ran: charges from here on are not accounted. */
    volatile boolean exited;
    /**
     * {@code CURRENT_OBJCG_UPDATE_FLAG}: set when the task may charge elsewhere (it moved, or a
     * memory css appeared or went above it); the task then finds its obj_cgroup again at its
     * next charge. Set for a new task, as {@code mem_cgroup_fork} does.
     */
    volatile boolean objcgUpdate = true;

    private TaskMemcg(MemCgroup cgroup) {
        this.cgroup = cgroup;
    }

    private static final VarHandle OBJCG;

    static {
        try {
            OBJCG = MethodHandles.lookup().findVarHandle(TaskMemcg.class, "objcg", ObjCgroup.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Takes the task's obj_cgroup reference out of the record: the caller drops it. */
    ObjCgroup takeObjcg() {
        return (ObjCgroup) OBJCG.getAndSet(this, (ObjCgroup) null);
    }

    /** The task's record, created (in {@code root}) on first use. */
    static TaskMemcg of(TaskStruct task, MemCgroup root) {
        return task.getOrCreate(KEY, () -> new TaskMemcg(root));
    }

    /** The task's record if it has one, without creating it. */
    static TaskMemcg peek(TaskStruct task) {
        return task.get(KEY);
    }
}
