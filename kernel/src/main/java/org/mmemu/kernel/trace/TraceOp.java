package org.mmemu.kernel.trace;

import org.mmemu.core.ErrnoException;

/** One parsed line of a trace: a system call or a cgroup-file access made as the trace names. */
public interface TraceOp {
    /**
     * Runs the operation.
     *
     * @return what it returned, as the trace's output shows it after {@code = } ("4096", "0")
     * @throws ErrnoException when the call fails: the output shows its errno and the trace goes on
     */
    String run(TraceContext ctx);
}
