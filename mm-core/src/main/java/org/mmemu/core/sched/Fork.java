package org.mmemu.core.sched;

import com.google.inject.Inject;
import java.util.Set;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.KernelBug;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;

/**
 * {@code copy_process} for {@code fork()} (kernel/fork.c, no clone flags): the child gets the
 * parent's credentials ({@code copy_creds}: the same {@code cred}, one more reference), a copy
 * of its limits ({@code copy_signal}), a copy of its fd table whose fds point at the same files
 * ({@code copy_files} → {@code dup_fd}), the modules' per-task state from the
 * {@link TaskForkHook}s (memcg: the parent's cgroup, {@code cgroup_post_fork}), then a new mm
 * ({@code copy_mm} → {@link AddressSpaces#dupMm}), allocated as the child, so its page tables
 * are charged to the child's cgroup. (The kernel allocates them as the parent, in the same
 * cgroup; the child, which has only a bare mm meanwhile, is charged alike.)
 *
 * <p>The kernel runs {@code cgroup_post_fork} after {@code copy_mm}, but the parent's cgroup is
 * the child's then already; running the hooks first gives the same charges.
 */
public final class Fork {
    private final Tasks tasks;
    private final AddressSpaces spaces;
    private final Exit exit;
    private final TaskForkHook[] hooks;

    @Inject
    public Fork(Tasks tasks, AddressSpaces spaces, Exit exit, Set<TaskForkHook> hooks) {
        this.tasks = tasks;
        this.spaces = spaces;
        this.exit = exit;
        this.hooks = hooks.toArray(new TaskForkHook[0]);
    }

    /**
     * Forks {@code parent}; the child has the parent's comm and a new pid.
     *
     * @return the child, or null when its mm could not be allocated ({@code -ENOMEM}: what the
     *     child already held is released again, as {@code copy_process}' error path does); a
     *     child killed before it ran is returned dead (its killer exits it)
     * @throws KernelBug if {@code parent} is exiting or dead (a dead task does not run)
     */
    public TaskStruct copyProcess(TaskStruct parent) {
        if (!parent.isAlive()) {
            throw new KernelBug("copy_process from " + parent + ", which has exited");
        }
        if (parent.hasFlag(TaskStruct.PF_KTHREAD)) {
            throw new KernelBug("fork of kernel thread " + parent + ": kernel threads are made by kthread_create");
        }
        FilesStruct files = parent.files();
        TaskStruct child = tasks.alloc(parent.comm(), parent.flags(), null,
                parent.cred().get(), parent.rlimits().copy(), files == null ? null : files.dupFd());
        child.setOomScoreAdj(parent.oomScoreAdj());
        for (TaskForkHook h : hooks) {
            h.fork(parent, child);
        }
        MmStruct oldMm = parent.mm();
        // A bare mm until dup_mm returns: a task without one is not charged (kmem bypass).
        child.setMm(oldMm == null ? null : new MmStruct());
        if (oldMm != null && oldMm.pgd() != null) {
            Tasks.TaskScope running;
            try {
                running = tasks.enter(child);
            } catch (ErrnoException e) {
                // ESRCH: another CPU's OOM killer chose the child before it ran, and exits it.
                return child;
            }
            MmStruct mm;
            try (running) {
                mm = spaces.dupMm(oldMm);
                if (mm != null) {
                    child.setMm(mm);    // while the child runs: a kill meanwhile only marks it
                }
            }
            if (mm == null) {
                exit.doExit(child);
                return null;
            }
        }
        return child;
    }
}
