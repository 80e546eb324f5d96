package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code drain}: {@code drain_all_stock}, every CPU's pre-charged stock given back, so that
 * memory.current counts exactly the pages charged (as removing a cgroup or lowering memory.max
 * does).
 */
public record DrainOp() implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("drain", "", a -> new DrainOp());

    @Override
    public String run(TraceContext ctx) {
        ctx.kernel().drainAllStock();
        return "0";
    }
}
