package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code close TASK FD}: {@code close(2)} of one of the task's fds. */
public record CloseOp(String task, String fd) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("close", "TASK FD", a -> new CloseOp(a.task(0), a.fd(1)));

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).close(ctx.fd(fd));
        return "0";
    }
}
