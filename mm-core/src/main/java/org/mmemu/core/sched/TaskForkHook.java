package org.mmemu.core.sched;

/**
 * A module's part of {@code copy_process}: gives the child its share of the module's per-task
 * state (memcg: the parent's cgroup, as {@code cgroup_post_fork} does). Runs before the child's
 * mm is duplicated, so that what {@code dup_mm} allocates is charged where the child belongs.
 * Bound with {@link TaskHooks#forkHooks}.
 */
@FunctionalInterface
public interface TaskForkHook {
    /** {@code child} was just copied from {@code parent} and has not run yet. */
    void fork(TaskStruct parent, TaskStruct child);
}
