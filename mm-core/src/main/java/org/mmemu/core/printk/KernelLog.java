package org.mmemu.core.printk;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's ring buffer as {@code dmesg} shows it, plus the taint flags. Thread-safe; lines
 * are kept in order. Structured reports (bad pages) are kept beside the text by their producers.
 */
public final class KernelLog {
    /** {@code TAINT_BAD_PAGE}, printed as 'B'. */
    public static final int TAINT_BAD_PAGE = 5;
    /** {@code TAINT_WARN}, printed as 'W'. */
    public static final int TAINT_WARN = 9;
    /** {@code TAINT_DIE}, printed as 'D' (an oops happened). */
    public static final int TAINT_DIE = 7;

    private final List<String> lines = new ArrayList<>();
    private long taint;

    /** {@code printk}: appends one or more lines (split at newlines). */
    public synchronized void printk(String text) {
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
    }

    /** {@code add_taint}. */
    public synchronized void addTaint(int flag) {
        taint |= 1L << flag;
    }

    public synchronized boolean isTainted(int flag) {
        return (taint & (1L << flag)) != 0;
    }

    /** A copy of the lines so far. */
    public synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** The whole log, one line per kernel line, as {@code dmesg} prints it. */
    public synchronized String dmesg() {
        return String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
    }

    /** Whether any line contains {@code text}. */
    public synchronized boolean contains(String text) {
        for (String l : lines) {
            if (l.contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** {@code dmesg -C}: clears the lines (taint stays, as in the kernel). */
    public synchronized void clear() {
        lines.clear();
    }
}
