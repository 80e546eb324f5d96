package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code bpf-delete TASK MAP KEY}: {@code bpf(BPF_MAP_DELETE_ELEM)}; an array's are {@code EINVAL}. */
public record BpfDeleteOp(String task, String map, long key) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("bpf-delete", "TASK MAP KEY",
            a -> new BpfDeleteOp(a.task(0), a.fd(1), a.integer(2, 0, Long.MAX_VALUE)));

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).bpfMapDelete(ctx.fd(map), ctx.map(map).key(key));
        return "0";
    }
}
