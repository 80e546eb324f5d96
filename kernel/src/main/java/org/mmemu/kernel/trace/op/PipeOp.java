package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code pipe TASK NAME}: {@code pipe(2)} by TASK; its ends are the fds NAME.r and NAME.w. */
public record PipeOp(String task, String name) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("pipe", "TASK NAME", a -> new PipeOp(a.task(0), a.newFds(1, "r", "w")));

    /** Returns 0 and the fd numbers, as strace shows {@code pipe([3, 4]) = 0}. */
    @Override
    public String run(TraceContext ctx) {
        int[] fds = ctx.task(task).pipe();
        ctx.putFd(name + ".r", fds[0]);
        ctx.putFd(name + ".w", fds[1]);
        return "0 (" + name + ".r=" + fds[0] + " " + name + ".w=" + fds[1] + ")";
    }
}
