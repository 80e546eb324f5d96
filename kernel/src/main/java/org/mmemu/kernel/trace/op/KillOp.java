package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code kill TASK}: {@code SIGKILL} sent to the process from outside. */
public record KillOp(String task) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("kill", "TASK", a -> new KillOp(a.task(0)));

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).kill();
        return "0";
    }
}
