package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code munmap TASK MAPPING}: {@code munmap(2)} of the whole mapping, in TASK's address space. */
public record MunmapOp(String task, String mapping) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("munmap", "TASK MAPPING", a -> new MunmapOp(a.task(0), a.mapping(1)));

    @Override
    public String run(TraceContext ctx) {
        TraceContext.Mapping m = ctx.mapping(mapping);
        ctx.task(task).munmap(m.address(), m.length());
        return "0";
    }
}
