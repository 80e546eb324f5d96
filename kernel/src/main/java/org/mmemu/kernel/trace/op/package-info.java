/**
 * The operations of the trace format, one class each, each with the {@code SPEC} that
 * {@link org.mmemu.kernel.trace.TraceOps} registers by name: the op's usage and the parser of
 * its line.
 */
package org.mmemu.kernel.trace.op;
