package org.mmemu.kernel.trace;

/**
 * A malformed trace: its message is {@code FILE:LINE: what is wrong}, as a compiler words it, and
 * nothing of the trace has run.
 */
public final class TraceSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TraceSyntaxException(String message) {
        super(message);
    }
}
