package org.mmemu.kernel.trace.op;

import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.kernel.trace.BpfMapShape;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code bpf-update TASK MAP KEY VALUE [any|noexist|exist]}: {@code bpf(BPF_MAP_UPDATE_ELEM)} of
 * the number VALUE under the number KEY ({@link BpfMapShape}), {@code BPF_ANY} unless given.
 */
public record BpfUpdateOp(String task, String map, long key, long value, long flags) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("bpf-update", "TASK MAP KEY VALUE [any|noexist|exist]",
            BpfUpdateOp::parse);

    private static final long[] FLAGS = {BpfUpdateFlags.ANY, BpfUpdateFlags.NOEXIST, BpfUpdateFlags.EXIST};

    private static BpfUpdateOp parse(OpArgs a) {
        long flags = a.count() > 4 ? FLAGS[a.choice(4, "any", "noexist", "exist")] : BpfUpdateFlags.ANY;
        return new BpfUpdateOp(a.task(0), a.fd(1), a.integer(2, 0, Long.MAX_VALUE), a.integer(3, 0, Long.MAX_VALUE),
                flags);
    }

    @Override
    public String run(TraceContext ctx) {
        BpfMapShape shape = ctx.map(map);
        ctx.task(task).bpfMapUpdate(ctx.fd(map), shape.key(key), shape.value(value), flags);
        return "0";
    }
}
