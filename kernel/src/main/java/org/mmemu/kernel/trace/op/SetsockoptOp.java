package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;
import org.mmemu.net.SockOpt;

/**
 * {@code setsockopt TASK FD sndbuf|rcvbuf SIZE}: {@code setsockopt(fd, SOL_SOCKET, SO_SNDBUF or
 * SO_RCVBUF, &size)}; the kernel sets twice SIZE, within its bounds.
 */
public record SetsockoptOp(String task, String fd, SockOpt opt, int size) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("setsockopt", "TASK FD sndbuf|rcvbuf SIZE", SetsockoptOp::parse);

    private static SetsockoptOp parse(OpArgs a) {
        SockOpt opt = a.choice(2, "sndbuf", "rcvbuf") == 0 ? SockOpt.SNDBUF : SockOpt.RCVBUF;
        return new SetsockoptOp(a.task(0), a.fd(1), opt, (int) a.size(3, Integer.MAX_VALUE));
    }

    @Override
    public String run(TraceContext ctx) {
        ctx.task(task).setSockOpt(ctx.fd(fd), opt, size);
        return "0";
    }
}
