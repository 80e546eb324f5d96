package org.mmemu.kernel.trace.op;

import java.util.HexFormat;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code load TASK MAPPING OFFSET LEN}: TASK reads LEN bytes at OFFSET into the mapping, through
 * its page tables (a fault where nothing readable is mapped is {@code EFAULT}).
 */
public record LoadOp(String task, String mapping, long offset, SizeArg len) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("load", "TASK MAPPING OFFSET LEN",
            a -> new LoadOp(a.task(0), a.mapping(1), a.size(2, Long.MAX_VALUE), a.length(3, SizeArg.MAX_IO)));

    /** The most bytes the result shows. */
    private static final int SHOWN = 16;

    /** Returns the bytes in hex, the first {@value #SHOWN} of more with their count. */
    @Override
    public String run(TraceContext ctx) {
        int n = (int) len.resolve(ctx.random());
        byte[] data = ctx.task(task).readMemory(ctx.mapping(mapping).address() + offset, n);
        String hex = HexFormat.of().formatHex(data, 0, Math.min(SHOWN, data.length));
        return len.result(data.length > SHOWN ? hex + "... (" + data.length + " bytes)" : hex, n);
    }
}
