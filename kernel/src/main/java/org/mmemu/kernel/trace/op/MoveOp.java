package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code move TASK CGROUP}: the task's pid written to CGROUP's {@code cgroup.procs}; its charges stay. */
public record MoveOp(String task, String cgroup) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("move", "TASK CGROUP", a -> new MoveOp(a.task(0), a.cgroupPath(1)));

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).moveTo(cgroup);
        return "0";
    }
}
