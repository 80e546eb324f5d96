package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.BpfMapShape;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code bpf-lookup TASK MAP KEY}: {@code bpf(BPF_MAP_LOOKUP_ELEM)}; shows the value as its number. */
public record BpfLookupOp(String task, String map, long key) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("bpf-lookup", "TASK MAP KEY",
            a -> new BpfLookupOp(a.task(0), a.fd(1), a.integer(2, 0, Long.MAX_VALUE)));

    /** Returns the value ({@link BpfMapShape#show}: one number a CPU for a per-CPU array). */
    @Override
    public String run(TraceContext ctx) {
        BpfMapShape shape = ctx.map(map);
        return shape.show(ctx.task(task).bpfMapLookup(ctx.fd(map), shape.key(key)));
    }
}
