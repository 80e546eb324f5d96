package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code mkdir CGROUP}: a new cgroup; the run's report and plot follow it from here on. */
public record MkdirOp(String cgroup) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("mkdir", "CGROUP", a -> new MkdirOp(a.cgroupPath(0)));

    @Override
    public String run(TraceContext ctx) {
        ctx.putCgroup(ctx.kernel().cgroupfs().mkdir(cgroup));
        return "0";
    }
}
