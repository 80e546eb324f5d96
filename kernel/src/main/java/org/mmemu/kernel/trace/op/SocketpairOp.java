package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;
import org.mmemu.net.SocketType;

/**
 * {@code socketpair TASK NAME stream|dgram}: {@code socketpair(AF_UNIX, type, 0, sv)} by TASK;
 * its two connected sockets are the fds NAME.0 and NAME.1 ({@code sv[0]}, {@code sv[1]}).
 */
public record SocketpairOp(String task, String name, SocketType type) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("socketpair", "TASK NAME stream|dgram", SocketpairOp::parse);

    private static SocketpairOp parse(OpArgs a) {
        SocketType type = a.choice(2, "stream", "dgram") == 0 ? SocketType.STREAM : SocketType.DGRAM;
        return new SocketpairOp(a.task(0), a.newFds(1, "0", "1"), type);
    }

    /** Returns 0 and the fd numbers, as strace shows {@code socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0}. */
    @Override
    public String run(TraceContext ctx) {
        int[] sv = ctx.task(task).socketpair(type);
        ctx.putFd(name + ".0", sv[0]);
        ctx.putFd(name + ".1", sv[1]);
        return "0 (" + name + ".0=" + sv[0] + " " + name + ".1=" + sv[1] + ")";
    }
}
