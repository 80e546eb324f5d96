package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code read TASK FD LEN}: {@code read(2)} of up to LEN bytes; never blocks. */
public record ReadOp(String task, String fd, SizeArg len) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("read", "TASK FD LEN",
            a -> new ReadOp(a.task(0), a.fd(1), a.length(2, SizeArg.MAX_IO)));

    /** Returns the bytes read (0 at end of file). */
    @Override
    public String run(TraceContext ctx) {
        int n = (int) len.resolve(ctx.random());
        return len.result(ctx.task(task).read(ctx.fd(fd), n).length, n);
    }
}
