package org.mmemu.kernel.trace;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The arguments of one trace line, for an {@link OpSpec}'s parser: typed getters that check
 * each word (numbers, names, cgroup paths) and give the new names, failing with a message the
 * parser puts after the line's {@code FILE:LINE:}. The arity has been checked already.
 */
public final class OpArgs {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    private static final String RANDOM = "rand";

    private final List<String> words;
    private final TraceNames names;
    private final int line;

    OpArgs(List<String> words, TraceNames names, int line) {
        this.words = words;
        this.names = names;
        this.line = line;
    }

    /** How many arguments the line has. */
    public int count() {
        return words.size();
    }

    /** Argument {@code i} as written. */
    public String word(int i) {
        return words.get(i);
    }

    /** Arguments {@code i} to the end, one space apart (a cgroup file's value). */
    public String rest(int i) {
        return String.join(" ", words.subList(i, words.size()));
    }

    /** An exception for the parser to throw: the line is malformed for {@code why}. */
    public IllegalArgumentException bad(String why) {
        return new IllegalArgumentException(why);
    }

    /** Argument {@code i} names a task given before. */
    public String task(int i) {
        return existing(i, TraceNames.Kind.TASK);
    }

    /** Argument {@code i} names an fd given before ({@code p.r}, {@code p.w}). */
    public String fd(int i) {
        return existing(i, TraceNames.Kind.FD);
    }

    /** Argument {@code i} names a kernel object given before. */
    public String object(int i) {
        return existing(i, TraceNames.Kind.OBJECT);
    }

    /** Argument {@code i} names a memory mapping given before (by {@code mmap}). */
    public String mapping(int i) {
        return existing(i, TraceNames.Kind.MAPPING);
    }

    /** Argument {@code i} is a new task's name. */
    public String newTask(int i) {
        return declare(name(i), TraceNames.Kind.TASK);
    }

    /** Argument {@code i} is a new object's name. */
    public String newObject(int i) {
        return declare(name(i), TraceNames.Kind.OBJECT);
    }

    /** Argument {@code i} is a new mapping's name. */
    public String newMapping(int i) {
        return declare(name(i), TraceNames.Kind.MAPPING);
    }

    /** Argument {@code i} is a new fd's name (a map's). */
    public String newFd(int i) {
        return declare(name(i), TraceNames.Kind.FD);
    }

    /** Argument {@code i} is a name from which the fds {@code NAME.suffix...} are made. */
    public String newFds(int i, String... suffixes) {
        String base = name(i);
        for (String s : suffixes) {
            declare(base + "." + s, TraceNames.Kind.FD);
        }
        return base;
    }

    /** Argument {@code i} is an absolute path in the cgroup file system. */
    public String cgroupPath(int i) {
        String p = word(i);
        if (!p.startsWith("/")) {
            throw bad("'" + p + "' is not a cgroup path (it starts with /)");
        }
        return p;
    }

    /** Argument {@code i} is a length: {@link #size} or {@code rand} / {@code rand:MAX}. */
    public SizeArg length(int i, long max) {
        String w = word(i);
        if (w.equals(RANDOM)) {
            return SizeArg.random(Math.min(4096, max));
        }
        if (w.startsWith(RANDOM + ":")) {
            long m = number(w.substring(RANDOM.length() + 1), w, max);
            if (m == 0) {
                throw bad("'" + w + "' draws from an empty range");
            }
            return SizeArg.random(m);
        }
        return SizeArg.of(size(i, max));
    }

    /** Argument {@code i} is a number of bytes up to {@code max}: decimal or 0x hex, K/M/G suffixes. */
    public long size(int i, long max) {
        return number(word(i), word(i), max);
    }

    /** Argument {@code i} is a whole number in {@code min..max} (decimal or 0x hex). */
    public long integer(int i, long min, long max) {
        String w = word(i);
        long v;
        try {
            v = Long.decode(w);
        } catch (NumberFormatException e) {
            throw bad("'" + w + "' is not a number");
        }
        if (v < min || v > max) {
            throw bad("'" + w + "' is out of range " + min + ".." + max);
        }
        return v;
    }

    /** Argument {@code i}, which must be one of {@code choices}; the index of the one it is. */
    public int choice(int i, String... choices) {
        for (int c = 0; c < choices.length; c++) {
            if (choices[c].equals(word(i))) {
                return c;
            }
        }
        throw bad("'" + word(i) + "' is not " + String.join(" or ", choices));
    }

    /** Argument {@code i}, if the line has it, is the byte a buffer repeats (0 to 255) or {@code rand}; 0 if not. */
    public FillArg fill(int i) {
        if (count() <= i) {
            return FillArg.of(0);
        }
        return word(i).equals(RANDOM) ? FillArg.RANDOM : FillArg.of((int) integer(i, 0, 255));
    }

    private long number(String text, String word, long max) {
        String t = text.toUpperCase(Locale.ROOT);
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? text : text.substring(0, text.length() - 1);
        long v;
        try {
            v = Long.decode(digits);
        } catch (NumberFormatException e) {
            throw bad("'" + word + "' is not a size (bytes, 0x hex, K/M/G suffixes)");
        }
        if (v < 0 || v > max >> shift) {
            throw bad("'" + word + "' is out of range 0.." + max);
        }
        return v << shift;
    }

    private String name(int i) {
        String n = word(i);
        if (!NAME.matcher(n).matches()) {
            throw bad("'" + n + "' is not a name (a letter or _, then letters, digits, _ or -)");
        }
        return n;
    }

    private String existing(int i, TraceNames.Kind kind) {
        String why = names.check(word(i), kind);
        if (why != null) {
            throw bad(why);
        }
        return word(i);
    }

    private String declare(String name, TraceNames.Kind kind) {
        String why = names.declare(name, kind, line);
        if (why != null) {
            throw bad(why);
        }
        return name;
    }
}
