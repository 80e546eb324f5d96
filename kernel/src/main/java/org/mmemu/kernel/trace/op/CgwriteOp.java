package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/** {@code cgwrite FILE VALUE...}: one write of VALUE to a cgroup file ({@code /a/memory.max 8M}). */
public record CgwriteOp(String file, String value) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("cgwrite", "FILE VALUE...",
            a -> new CgwriteOp(a.cgroupPath(0), a.rest(1)));

    /** Returns the bytes written, as {@code write(2)} does. */
    @Override
    public String run(TraceContext ctx) {
        ctx.kernel().cgroupfs().write(file, value);
        return Integer.toString(value.length());
    }
}
