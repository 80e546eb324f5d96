package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code mprotect TASK MAPPING none|ro|rw}: {@code mprotect(2)} of the whole mapping. */
public record MprotectOp(String task, String mapping, int prot) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("mprotect", "TASK MAPPING none|ro|rw", MprotectOp::parse);

    private static MprotectOp parse(OpArgs a) {
        return new MprotectOp(a.task(0), a.mapping(1), MmapOp.PROTS[a.choice(2, MmapOp.PROT_NAMES)]);
    }

    @Override
    public String run(TraceContext ctx) {
        TraceContext.Mapping m = ctx.mapping(mapping);
        ctx.task(task).mprotect(m.address(), m.length(), prot);
        return "0";
    }
}
