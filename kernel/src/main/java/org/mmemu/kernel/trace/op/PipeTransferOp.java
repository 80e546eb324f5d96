package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.Task;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code tee TASK IN OUT LEN} and {@code splice TASK IN OUT LEN}: pipe to pipe, by sharing
 * pages ({@code tee} leaves IN as it was; {@code splice} moves the buffers), non-blocking.
 */
public record PipeTransferOp(Transfer call, String task, String in, String out, SizeArg len) implements TraceOp {
    /** The system call, as {@link Task} makes it. */
    public interface Transfer {
        long apply(Task task, int in, int out, long len);
    }

    public static final OpSpec TEE = spec("tee", Task::tee);
    public static final OpSpec SPLICE = spec("splice", Task::splice);

    private static OpSpec spec(String name, Transfer call) {
        return new OpSpec(name, "TASK IN OUT LEN", (OpArgs a) ->
                new PipeTransferOp(call, a.task(0), a.fd(1), a.fd(2), a.length(3, Long.MAX_VALUE)));
    }

    /** Returns the bytes duplicated or moved. */
    @Override
    public String run(TraceContext ctx) {
        long n = len.resolve(ctx.random());
        return len.result(call.apply(ctx.task(task), ctx.fd(in), ctx.fd(out), n), n);
    }
}
