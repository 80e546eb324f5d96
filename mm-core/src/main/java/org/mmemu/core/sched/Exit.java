package org.mmemu.core.sched;

import com.google.inject.Inject;
import java.util.Set;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;

/**
 * {@code do_exit} (kernel/exit.c), in the kernel's order: {@code exit_signals} sets
 * {@link TaskStruct#PF_EXITING}; {@code exit_mm} drops the task's mm (the last user tears it
 * down); {@code exit_files} drops its fd table (the last user closes every fd, and a file's
 * last reference releases it); the modules' {@link TaskExitHook}s run where {@code cgroup_exit}
 * runs; {@code exit_notify} makes the task {@link TaskStruct#EXIT_DEAD} (it reaps itself: the
 * emulator has no {@code wait}), and {@code release_task} unhashes its pid and drops its
 * credentials (and with them its reference on its {@code user_struct}).
 *
 * <p>The exit runs on the calling thread, as whatever task is current there (the OOM killer
 * makes a victim exit from its own context); nothing on the way allocates.
 *
 * <p>A SIGKILL ({@link #sigkill}, for {@code kill(2)} and the OOM killer alike) or an
 * {@code exit_group(2)} ({@link #groupExit}) brings a task here: at once if no CPU runs it,
 * otherwise when the last CPU that runs it takes it back to user space ({@link #exitIfKilled}).
 */
public final class Exit {
    private final Tasks tasks;
    private final AddressSpaces spaces;
    private final TaskExitHook[] hooks;

    @Inject
    public Exit(Tasks tasks, AddressSpaces spaces, Set<TaskExitHook> hooks) {
        this.tasks = tasks;
        this.spaces = spaces;
        this.hooks = hooks.toArray(new TaskExitHook[0]);
    }

    /**
     * Runs {@code task} through {@code do_exit}.
     *
     * @return false, changing nothing, if the task is already exiting or dead
     */
    public boolean doExit(TaskStruct task) {
        if (!task.startExit()) {
            return false;
        }
        exitMm(task);
        exitFiles(task);
        for (TaskExitHook h : hooks) {
            h.exit(task);
        }
        task.setExitState(TaskStruct.EXIT_DEAD);
        tasks.unhash(task);
        task.cred().put();
        return true;
    }

    /**
     * SIGKILL sent to {@code task} ({@code kill_pid_info} → {@code __send_signal_locked}, which
     * makes it pending, and {@code signal_wake_up}; kernel/signal.c, 6.13.7): a task that some
     * CPU runs (in a system call there) goes on and dies on its way back to user space; one that
     * no CPU runs is woken to die, which the emulator does now, on the sender's thread, where
     * the task would next be scheduled. {@link TaskStruct#sendSigkill} decides which, atomically
     * with any CPU starting to run it.
     *
     * @return whether the task exited now
     */
    public boolean sigkill(TaskStruct task) {
        return task.sendSigkill() && doExit(task);
    }

    /**
     * {@code exit_group(2)} of {@code task} by a thread of it that runs no system call as it
     * (the caller is on no {@link Tasks#enter} of it) ({@code do_group_exit}, kernel/exit.c,
     * 6.13.7): {@code zap_other_threads}
     * (kernel/signal.c) makes SIGKILL pending on every other thread of the group, so a CPU
     * running the task in a system call finishes it, with the mm and fds it is using, and the
     * last such CPU exits the task on its way back to user space (the mm goes with its last
     * user, {@code exit_mm} → {@code mmput}); with none, the task exits now. This is the same
     * mark as {@link #sigkill}'s: nothing here counts or logs a kill.
     *
     * @return whether the task exited now
     */
    public boolean groupExit(TaskStruct task) {
        return sigkill(task);
    }

    /**
     * The return to user space of {@code task} ({@code exit_to_user_mode_loop} → {@code get_signal}
     * → {@code do_group_exit}): a pending SIGKILL is delivered and the task exits, unless some
     * CPU still runs it (the last to leave it exits it), it was not killed, or it exited already.
     *
     * @return whether the task exited now
     */
    public boolean exitIfKilled(TaskStruct task) {
        return task.fatalSignalPending() && !task.isRunning() && doExit(task);
    }

    /** {@code exit_mm}: a bare mm (no pgd: init's stand-in) has nothing to tear down. */
    private void exitMm(TaskStruct task) {
        MmStruct mm = task.mm();
        if (mm == null) {
            return;
        }
        task.setMm(null);
        if (mm.pgd() != null) {
            spaces.mmput(mm);
        }
    }

    /** {@code exit_files}. */
    private static void exitFiles(TaskStruct task) {
        FilesStruct files = task.files();
        if (files != null) {
            task.setFiles(null);
            files.put();
        }
    }
}
