package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code cgread FILE}: reads a cgroup file; its lines are shown on the op's line, "; " apart. */
public record CgreadOp(String file) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("cgread", "FILE", a -> new CgreadOp(a.cgroupPath(0)));

    @Override
    public String run(TraceContext ctx) {
        return String.join("; ", ctx.kernel().cgroupfs().read(file).strip().split("\n"));
    }
}
