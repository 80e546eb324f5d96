package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.Task;
import org.mmemu.kernel.trace.FillArg;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code write TASK FD LEN [BYTE|rand]}: {@code write(2)} of LEN bytes, each BYTE (0 unless
 * given) or random ones from the run's seed; {@code send TASK FD LEN [BYTE|rand]} the same with
 * {@code send(2)} on a socket. Never blocks: a full pipe or send buffer takes what fits.
 */
public record WriteOp(Call call, String task, String fd, SizeArg len, FillArg fill) implements TraceOp {
    /** The system call. */
    public enum Call {
        WRITE, SEND;

        int apply(Task t, int fd, byte[] data) {
            return this == WRITE ? t.write(fd, data) : t.send(fd, data);
        }
    }

    public static final OpSpec WRITE = spec("write", Call.WRITE);
    public static final OpSpec SEND = spec("send", Call.SEND);

    private static OpSpec spec(String name, Call call) {
        return new OpSpec(name, "TASK FD LEN [BYTE|rand]", (OpArgs a) ->
                new WriteOp(call, a.task(0), a.fd(1), a.length(2, SizeArg.MAX_IO), a.fill(3)));
    }

    /** Returns the bytes written. */
    @Override
    public String run(TraceContext ctx) {
        int n = (int) len.resolve(ctx.random());
        return len.result(call.apply(ctx.task(task), ctx.fd(fd), fill.bytes(n, ctx.random())), n);
    }
}
