package org.mmemu.pipe;

import org.mmemu.core.sched.TaskForkHook;
import org.mmemu.core.sched.TaskStruct;

/**
 * {@code SIGPIPE}, as far as pipes need it (kernel/signal.c {@code send_sig}, {@code do_signal}):
 * a write to a pipe without readers sends it to the writer; unless the task ignores it
 * ({@code signal(SIGPIPE, SIG_IGN)}, which also discards one pending), it stays pending, and on
 * the way back to user space its default action ends the task (the facade does that). A forked
 * child inherits the disposition, not the pending signal. Nothing else of signals is modelled.
 */
public final class SigPipe implements TaskForkHook {
    private static final TaskStruct.Key<State> STATE = TaskStruct.Key.named("pipe:sigpipe");

    /** The task's disposition and whether one is pending. */
    private static final class State {
        volatile boolean ignored;
        volatile boolean pending;
    }

    /** {@code send_sig(SIGPIPE, task, 0)}: pending unless ignored. */
    public void send(TaskStruct task) {
        State s = state(task);
        if (!s.ignored) {
            s.pending = true;
        }
    }

    /** {@code signal(SIGPIPE, SIG_IGN)} (or back to {@code SIG_DFL} when false). */
    public void setIgnored(TaskStruct task, boolean ignored) {
        State s = state(task);
        s.ignored = ignored;
        if (ignored) {
            s.pending = false;
        }
    }

    /** Whether a {@code SIGPIPE} is pending; dequeues it. */
    public boolean dequeue(TaskStruct task) {
        State s = state(task);
        boolean was = s.pending;
        s.pending = false;
        return was;
    }

    @Override
    public void fork(TaskStruct parent, TaskStruct child) {
        state(child).ignored = state(parent).ignored;
    }

    private static State state(TaskStruct task) {
        return task.getOrCreate(STATE, State::new);
    }
}
