package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code fork PARENT CHILD}: CHILD is a fork of PARENT, in its cgroup, sharing its fds. */
public record ForkOp(String parent, String child) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("fork", "PARENT CHILD", a -> new ForkOp(a.task(0), a.newTask(1)));

    /** Returns the child's pid. */
    @Override
    public String run(TraceContext ctx) {
        ctx.putTask(child, ctx.task(parent).fork());
        return Integer.toString(ctx.task(child).pid());
    }
}
