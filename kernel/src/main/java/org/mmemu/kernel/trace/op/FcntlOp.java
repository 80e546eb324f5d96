package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code fcntl TASK FD F_SETPIPE_SZ SIZE}: resizes a pipe (the one fcntl command traces need). */
public record FcntlOp(String task, String fd, long size) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("fcntl", "TASK FD F_SETPIPE_SZ SIZE", FcntlOp::parse);

    private static FcntlOp parse(OpArgs a) {
        a.choice(2, "F_SETPIPE_SZ");
        return new FcntlOp(a.task(0), a.fd(1), a.size(3, Integer.MAX_VALUE));
    }

    /** Returns the pipe's new size. */
    @Override
    public String run(TraceContext ctx) {
        return Integer.toString(ctx.task(task).fcntlSetPipeSize(ctx.fd(fd), size));
    }
}
