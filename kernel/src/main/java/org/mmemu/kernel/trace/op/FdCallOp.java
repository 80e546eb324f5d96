package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.Task;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * A call on one of TASK's fds that returns nothing but success: {@code close TASK FD}
 * ({@code close(2)}) and {@code bpf-freeze TASK MAP} ({@code bpf(BPF_MAP_FREEZE)}: no more writes
 * to the map from user space, 5.2 on).
 */
public record FdCallOp(Call call, String task, String fd) implements TraceOp {
    /** The system call. */
    public enum Call {
        CLOSE, BPF_FREEZE;

        void apply(Task t, int fd) {
            if (this == CLOSE) {
                t.close(fd);
            } else {
                t.bpfMapFreeze(fd);
            }
        }
    }

    public static final OpSpec CLOSE = spec("close", "TASK FD", Call.CLOSE);
    public static final OpSpec BPF_FREEZE = spec("bpf-freeze", "TASK MAP", Call.BPF_FREEZE);

    private static OpSpec spec(String name, String usage, Call call) {
        return new OpSpec(name, usage, a -> new FdCallOp(call, a.task(0), a.fd(1)));
    }

    @Override
    public String run(TraceContext ctx) {
        call.apply(ctx.task(task), ctx.fd(fd));
        return "0";
    }
}
