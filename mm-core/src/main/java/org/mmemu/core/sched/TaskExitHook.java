package org.mmemu.core.sched;

/**
 * A module's part of {@code do_exit}: releases the module's per-task state (memcg:
 * {@code cgroup_exit}, which also drops the task's obj_cgroup). Runs after the task's mm and
 * files are released, where the kernel calls {@code cgroup_exit}. Bound with
 * {@link TaskHooks#exitHooks}.
 */
@FunctionalInterface
public interface TaskExitHook {
    /** {@code task} is exiting; it has no mm and no files any more. */
    void exit(TaskStruct task);
}
