package org.mmemu.kernel.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses the trace format (docs/TRACE.md): one operation a line, its name then its arguments
 * separated by blanks; {@code #} starts a comment; blank lines are skipped. The whole text is
 * checked before anything can run: the first malformed line is a {@link TraceSyntaxException}
 * {@code FILE:LINE: message}.
 */
public final class TraceParser {
    private TraceParser() {
    }

    /** Reads and parses the file at {@code path}; its name in messages is the path as given. */
    public static Trace parse(Path path) {
        try {
            return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a trace read from {@code in}, named {@code name} in messages. */
    public static Trace parse(String name, InputStream in) {
        try (in) {
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses {@code text}, named {@code name} in messages. */
    public static Trace parse(String name, String text) {
        TraceNames names = new TraceNames();
        List<TraceStep> steps = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            int hash = lines[i].indexOf('#');
            String code = (hash < 0 ? lines[i] : lines[i].substring(0, hash)).strip();
            if (!code.isEmpty()) {
                int line = i + 1;
                try {
                    steps.add(new TraceStep(line, code, op(code, names, line)));
                } catch (IllegalArgumentException e) {
                    throw new TraceSyntaxException(name + ":" + line + ": " + e.getMessage());
                }
            }
        }
        return new Trace(name, steps);
    }

    private static TraceOp op(String code, TraceNames names, int line) {
        List<String> words = Arrays.asList(code.split("\\s+"));
        OpSpec spec = TraceOps.get(words.get(0));
        if (spec == null) {
            throw new IllegalArgumentException("unknown operation '" + words.get(0) + "' (one of "
                    + String.join(", ", TraceOps.names()) + ")");
        }
        List<String> args = words.subList(1, words.size());
        if (args.size() < spec.minArgs() || args.size() > spec.maxArgs()) {
            throw new IllegalArgumentException(spec.name() + " takes " + arity(spec) + ", not " + args.size()
                    + " (usage: " + spec + ")");
        }
        return spec.parser().apply(new OpArgs(args, names, line));
    }

    private static String arity(OpSpec spec) {
        int min = spec.minArgs();
        int max = spec.maxArgs();
        String n = min == max ? Integer.toString(min) : max == Integer.MAX_VALUE ? min + " or more" : min + " to " + max;
        return n + (max == 1 ? " argument" : " arguments");
    }
}
