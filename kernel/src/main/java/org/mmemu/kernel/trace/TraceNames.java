package org.mmemu.kernel.trace;

import java.util.HashMap;
import java.util.Map;

/**
 * The names a trace gives, checked as it is parsed: each is given once (by the line that makes
 * the task, fd, object or mapping) and every later use must name something of the right kind.
 */
final class TraceNames {
    /** What a name stands for. */
    enum Kind {
        TASK("task", "a task"), FD("fd", "an fd"), OBJECT("object", "an object"), MAPPING("mapping", "a mapping");

        private final String word;
        private final String withArticle;

        Kind(String word, String withArticle) {
            this.word = word;
            this.withArticle = withArticle;
        }
    }

    private record Given(Kind kind, int line) {
    }

    private final Map<String, Given> names = new HashMap<>();

    /** Gives {@code name} to a new {@code kind} on {@code line}; a message if it is taken. */
    String declare(String name, Kind kind, int line) {
        Given old = names.putIfAbsent(name, new Given(kind, line));
        return old == null ? null
                : "'" + name + "' is already the " + old.kind.word + " named on line " + old.line;
    }

    /** Null if {@code name} is a {@code kind}, else why not. */
    String check(String name, Kind kind) {
        Given g = names.get(name);
        if (g == null) {
            return "unknown " + kind.word + " '" + name + "'";
        }
        return g.kind == kind ? null
                : "'" + name + "' is " + g.kind.withArticle + " (line " + g.line + "), not " + kind.withArticle;
    }
}
