package org.mmemu.kernel.trace;

/** Told after each operation of a run, as it happened (a sampler of memory.current, say). */
@FunctionalInterface
public interface TraceListener {
    /** A listener that does nothing. */
    TraceListener NONE = (index, step, ctx) -> { };

    /** Operation {@code index} (0 for the first) has run, or failed. */
    void afterStep(int index, TraceStep step, TraceContext ctx);
}
