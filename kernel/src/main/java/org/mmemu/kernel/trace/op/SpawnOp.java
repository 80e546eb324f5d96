package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code spawn TASK CGROUP}: a new process, named TASK (its comm), started in CGROUP ({@code Kernel.spawn}). */
public record SpawnOp(String task, String cgroup) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("spawn", "TASK CGROUP",
            a -> new SpawnOp(a.newTask(0), a.cgroupPath(1)));

    /** Returns the pid. */
    @Override
    public String run(TraceContext ctx) {
        ctx.putTask(task, ctx.kernel().spawn(task, cgroup));
        return Integer.toString(ctx.task(task).pid());
    }
}
