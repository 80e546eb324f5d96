package org.mmemu.kernel.trace.op;

import java.util.function.Consumer;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code exit TASK}: the process calls {@code exit(2)}, letting go of its mm, fds and cgroup;
 * {@code kill TASK}: {@code SIGKILL} sent to it from outside, with the same end.
 */
public record ExitOp(Consumer<Task> end, String task) implements TraceOp {
    public static final OpSpec EXIT = new OpSpec("exit", "TASK", a -> new ExitOp(Task::exit, a.task(0)));
    public static final OpSpec KILL = new OpSpec("kill", "TASK", a -> new ExitOp(Task::kill, a.task(0)));

    @Override
    public String run(TraceContext ctx) {
        end.accept(ctx.task(task));
        return "0";
    }
}
