package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code rmdir CGROUP}: removes an empty cgroup; pages still charged to it keep it dying. */
public record RmdirOp(String cgroup) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("rmdir", "CGROUP", a -> new RmdirOp(a.cgroupPath(0)));

    @Override
    public String run(TraceContext ctx) {
        ctx.kernel().cgroupfs().rmdir(cgroup);
        return "0";
    }
}
