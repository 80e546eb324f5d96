package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.Task;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code read TASK FD LEN}: {@code read(2)} of up to LEN bytes; {@code recv TASK FD LEN} the same
 * with {@code recv(2)} on a socket (a datagram cut to LEN). Never blocks.
 */
public record ReadOp(Call call, String task, String fd, SizeArg len) implements TraceOp {
    /** The system call. */
    public enum Call {
        READ, RECV;

        byte[] apply(Task t, int fd, int max) {
            return this == READ ? t.read(fd, max) : t.recv(fd, max);
        }
    }

    public static final OpSpec READ = spec("read", Call.READ);
    public static final OpSpec RECV = spec("recv", Call.RECV);

    private static OpSpec spec(String name, Call call) {
        return new OpSpec(name, "TASK FD LEN", (OpArgs a) ->
                new ReadOp(call, a.task(0), a.fd(1), a.length(2, SizeArg.MAX_IO)));
    }

    /** Returns the bytes read (0 at end of file). */
    @Override
    public String run(TraceContext ctx) {
        int n = (int) len.resolve(ctx.random());
        return len.result(call.apply(ctx.task(task), ctx.fd(fd), n).length, n);
    }
}
