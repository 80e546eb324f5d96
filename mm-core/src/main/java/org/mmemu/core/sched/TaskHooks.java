package org.mmemu.core.sched;

import com.google.inject.Binder;
import com.google.inject.multibindings.Multibinder;
import org.mmemu.core.alloc.PageHooks.HookBinder;

/**
 * The hook points of a task's life that upper modules bind: {@link #forkHooks} for
 * {@link Fork#copyProcess}, {@link #exitHooks} for {@link Exit#doExit}. Hooks run in binding
 * order.
 */
public final class TaskHooks {
    private TaskHooks() {
    }

    /** Registers fork hooks. */
    public static HookBinder<TaskForkHook> forkHooks(Binder binder) {
        return new HookBinder<>(Multibinder.newSetBinder(binder, TaskForkHook.class));
    }

    /** Registers exit hooks. */
    public static HookBinder<TaskExitHook> exitHooks(Binder binder) {
        return new HookBinder<>(Multibinder.newSetBinder(binder, TaskExitHook.class));
    }
}
