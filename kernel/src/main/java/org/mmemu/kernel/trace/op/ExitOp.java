package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code exit TASK}: the process calls {@code exit(2)}, letting go of its mm, fds and cgroup. */
public record ExitOp(String task) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("exit", "TASK", a -> new ExitOp(a.task(0)));

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).exit();
        return "0";
    }
}
