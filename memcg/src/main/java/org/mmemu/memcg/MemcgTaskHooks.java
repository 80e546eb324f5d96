package org.mmemu.memcg;

import com.google.inject.Inject;
import org.mmemu.core.KernelBug;
import org.mmemu.core.sched.TaskExitHook;
import org.mmemu.core.sched.TaskForkHook;
import org.mmemu.core.sched.TaskStruct;

/**
 * memcg's part of a task's life: {@code cgroup_post_fork} puts a forked child in its parent's
 * cgroup ({@code mem_cgroup_fork}: it finds its obj_cgroup at its first charge), and
 * {@code cgroup_exit} takes an exiting task out ({@link CgroupTree#exit}).
 */
final class MemcgTaskHooks implements TaskForkHook, TaskExitHook {
    private final CgroupTree tree;

    @Inject
    MemcgTaskHooks(CgroupTree tree) {
        this.tree = tree;
    }

    @Override
    public void fork(TaskStruct parent, TaskStruct child) {
        if (TaskMemcg.peek(parent) == null) {
            return;
        }
        int err = tree.attach(child, tree.cgroupOf(parent));
        if (err != 0) {
            throw new KernelBug("cgroup_post_fork: " + parent + "'s cgroup refused child " + child + ": " + err);
        }
    }

    @Override
    public void exit(TaskStruct task) {
        tree.exit(task);
    }
}
