package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code bpf-freeze TASK MAP}: {@code bpf(BPF_MAP_FREEZE)}: no more writes from user space (5.2 on). */
public record BpfFreezeOp(String task, String map) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("bpf-freeze", "TASK MAP", a -> new BpfFreezeOp(a.task(0), a.fd(1)));

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).bpfMapFreeze(ctx.fd(map));
        return "0";
    }
}
