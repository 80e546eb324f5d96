package org.mmemu.kernel.trace;

import java.util.function.Function;

/**
 * An operation of the trace format: its name, its usage ({@code "TASK FD SIZE [BYTE]"}: the
 * required arguments, then optional ones in brackets, a last one ending in {@code ...} taking
 * the rest of the line) and the parser that makes the {@link TraceOp} of a line. The arity is
 * read from the usage, so it is said once.
 */
public record OpSpec(String name, String usage, Function<OpArgs, TraceOp> parser) {
    /** The fewest arguments the usage allows. */
    public int minArgs() {
        int n = 0;
        for (String word : words()) {
            n += word.startsWith("[") ? 0 : 1;
        }
        return n;
    }

    /** The most arguments the usage allows; {@link Integer#MAX_VALUE} after a {@code WORD...} or {@code [WORD...]}. */
    public int maxArgs() {
        String[] words = words();
        return words.length > 0 && words[words.length - 1].matches(".*\\.\\.\\.]?") ? Integer.MAX_VALUE : words.length;
    }

    private String[] words() {
        return usage.isEmpty() ? new String[0] : usage.split(" ");
    }

    /** {@code "write TASK FD SIZE [BYTE]"}. */
    @Override
    public String toString() {
        return usage.isEmpty() ? name : name + " " + usage;
    }
}
