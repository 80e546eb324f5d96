package org.mmemu.kernel.trace;

/** One operation of a trace: its line number, its text as written (comment aside) and the parsed op. */
public record TraceStep(int line, String text, TraceOp op) {
}
