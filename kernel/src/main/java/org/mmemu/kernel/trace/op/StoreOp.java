package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.FillArg;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code store TASK MAPPING OFFSET LEN [BYTE|rand]}: TASK writes LEN bytes (as {@code write}'s)
 * at OFFSET into the mapping, through its page tables ({@code EFAULT} where nothing writable is
 * mapped).
 */
public record StoreOp(String task, String mapping, long offset, SizeArg len, FillArg fill) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("store", "TASK MAPPING OFFSET LEN [BYTE|rand]",
            a -> new StoreOp(a.task(0), a.mapping(1), a.size(2, Long.MAX_VALUE), a.length(3, SizeArg.MAX_IO),
                    a.fill(4)));

    @Override
    public String run(TraceContext ctx) {
        int n = (int) len.resolve(ctx.random());
        ctx.task(task).writeMemory(ctx.mapping(mapping).address() + offset, fill.bytes(n, ctx.random()));
        return len.result("0", n);
    }
}
