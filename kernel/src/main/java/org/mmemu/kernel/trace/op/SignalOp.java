package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code signal TASK SIGPIPE SIG_IGN}: the task ignores {@code SIGPIPE}, so a write without
 * readers fails with {@code EPIPE} instead of killing it.
 */
public record SignalOp(String task) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("signal", "TASK SIGPIPE SIG_IGN", SignalOp::parse);

    private static SignalOp parse(OpArgs a) {
        a.choice(1, "SIGPIPE");
        a.choice(2, "SIG_IGN");
        return new SignalOp(a.task(0));
    }

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).ignoreSigpipe();
        return "0";
    }
}
