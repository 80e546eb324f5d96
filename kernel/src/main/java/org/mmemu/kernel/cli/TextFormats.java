package org.mmemu.kernel.cli;

import java.util.List;
import java.util.Locale;

/** How the commands lay text out: aligned columns, CSV cells, JSON strings. */
final class TextFormats {
    private TextFormats() {
    }

    /** A CSV cell: quoted (inner quotes doubled) when it holds a comma, a quote or a newline. */
    static String csvCell(String cell) {
        boolean quote = cell.contains(",") || cell.contains("\"") || cell.contains("\n");
        return quote ? '"' + cell.replace("\"", "\"\"") + '"' : cell;
    }

    /** A JSON string literal; null is {@code null}. */
    static String jsonString(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }

    /** The rows as columns, each as wide as its widest cell, two spaces apart, no trailing blanks. */
    static String columns(List<List<String>> rows) {
        int[] width = new int[rows.get(0).size()];
        for (List<String> r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                line.append(String.format(Locale.ROOT, "%-" + width[i] + "s  ", r.get(i)));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
