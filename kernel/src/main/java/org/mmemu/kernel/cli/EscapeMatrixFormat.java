package org.mmemu.kernel.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.escape.EscapeCell;
import org.mmemu.kernel.escape.EscapeMatrix;
import org.mmemu.kernel.escape.EscapePath;
import org.mmemu.kernel.escape.KernelChange;

/** The escape matrix's outputs: a table of paths by eras, CSV (a row per cell) and JSON. */
enum EscapeMatrixFormat {
    table {
        @Override
        String render(EscapeMatrix matrix, List<EscapePath> paths, List<Era> eras, List<EscapeCell> cells) {
            List<List<String>> rows = new ArrayList<>();
            List<String> header = new ArrayList<>(List.of("path"));
            eras.forEach(e -> header.add(e.version()));
            header.add("charged since");
            rows.add(header);
            int i = 0;
            for (EscapePath path : paths) {
                List<String> row = new ArrayList<>(List.of(path.name()));
                for (int j = 0; j < eras.size(); j++) {
                    row.add(cellText(cells.get(i++)));
                }
                KernelChange c = path.closedBy();
                row.add(c.closed() ? c.release() + (c.commit() == null ? "" : " " + c.commit()) : "never");
                rows.add(row);
            }
            return String.format(Locale.ROOT, "escape matrix: memory.max %s, each cell driven until its calls fail or the"
                    + " kernel allocated %dx the limit%n", size(matrix.limit()), EscapeMatrix.BUDGET_LIMITS)
                    + TextFormats.columns(rows)
                    + String.format(Locale.ROOT, "cells: kernel memory allocated and not charged, as a multiple of the limit;"
                    + " ok = the limit held (within %s), ESC = escaped, OVER = charged but forced past the limit, LEAK = the teardown's checks failed, n/a = no such"
                    + " path%n", size(matrix.tolerance()));
        }
    },
    csv {
        @Override
        String render(EscapeMatrix matrix, List<EscapePath> paths, List<Era> eras, List<EscapeCell> cells) {
            StringBuilder sb = new StringBuilder("path,era,version,applicable,limit_bytes,allocated_bytes,charged_bytes,"
                    + "escaped_bytes,escaped_limits,max_current_bytes,steps,stop,held,leaked,charged_since,commit\n");
            for (EscapeCell c : cells) {
                KernelChange k = pathOf(paths, c).closedBy();
                List<String> row = List.of(c.path(), c.era().name(), c.era().version(), Boolean.toString(c.applicable()),
                        Long.toString(c.limitBytes()), Long.toString(c.allocatedBytes()), Long.toString(c.chargedBytes()),
                        Long.toString(c.escapedBytes()), limits(c), Long.toString(c.maxCurrentBytes()),
                        Long.toString(c.steps()), c.stop(), Boolean.toString(c.held()), Boolean.toString(c.leaked()),
                        k.closed() ? k.release() : "never", k.commit() == null ? "" : k.commit());
                sb.append(row.stream().map(TextFormats::csvCell).collect(Collectors.joining(","))).append('\n');
            }
            return sb.toString();
        }
    },
    json {
        @Override
        String render(EscapeMatrix matrix, List<EscapePath> paths, List<Era> eras, List<EscapeCell> cells) {
            StringJoiner ps = new StringJoiner(",\n", "[\n", "\n  ]");
            for (EscapePath p : paths) {
                KernelChange k = p.closedBy();
                ps.add("    {\"name\": " + TextFormats.jsonString(p.name()) + ", \"description\": "
                        + TextFormats.jsonString(p.description()) + ", \"closed_by\": {\"release\": "
                        + TextFormats.jsonString(k.closed() ? k.release() : null) + ", \"commit\": "
                        + TextFormats.jsonString(k.commit()) + ", \"subject\": " + TextFormats.jsonString(k.subject())
                        + ", \"evidence\": " + TextFormats.jsonString(k.evidence()) + "}}");
            }
            StringJoiner cs = new StringJoiner(",\n", "[\n", "\n  ]");
            for (EscapeCell c : cells) {
                cs.add(String.format(Locale.ROOT, "    {\"path\": %s, \"era\": %s, \"version\": %s, \"applicable\": %b,"
                                + " \"allocated_bytes\": %d, \"charged_bytes\": %d, \"escaped_bytes\": %d,"
                                + " \"escaped_limits\": %s, \"max_current_bytes\": %d, \"steps\": %d, \"stop\": %s,"
                                + " \"held\": %b, \"leaked\": %b, \"problems\": %s}",
                        TextFormats.jsonString(c.path()), TextFormats.jsonString(c.era().name()),
                        TextFormats.jsonString(c.era().version()), c.applicable(), c.allocatedBytes(), c.chargedBytes(),
                        c.escapedBytes(), limits(c), c.maxCurrentBytes(), c.steps(), TextFormats.jsonString(c.stop()),
                        c.held(), c.leaked(), c.problems().stream().map(TextFormats::jsonString)
                                .collect(Collectors.joining(", ", "[", "]"))));
            }
            return String.format(Locale.ROOT, "{\"limit_bytes\": %d, \"budget_limits\": %d, \"tolerance_bytes\": %d,%n"
                            + "  \"paths\": %s,%n  \"cells\": %s%n}%n", matrix.limit(), EscapeMatrix.BUDGET_LIMITS,
                    matrix.tolerance(), ps, cs);
        }
    };

    /** The output for {@code cells}, which are {@code paths} by {@code eras}, row by row. */
    abstract String render(EscapeMatrix matrix, List<EscapePath> paths, List<Era> eras, List<EscapeCell> cells);

    /** "0.00x ok", "16.00x ESC", "0.00x OVER", "... LEAK", "n/a". */
    static String cellText(EscapeCell c) {
        if (!c.applicable()) {
            return c.verdict();
        }
        return limits(c) + "x " + c.verdict() + (c.leaked() ? " LEAK" : "");
    }

    private static String limits(EscapeCell c) {
        return String.format(Locale.ROOT, "%.2f", c.escapedLimits());
    }

    private static EscapePath pathOf(List<EscapePath> paths, EscapeCell c) {
        return paths.stream().filter(p -> p.name().equals(c.path())).findFirst().orElseThrow();
    }

    /** "8M", "256K", or bytes ("0"). */
    static String size(long bytes) {
        if (bytes != 0 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "M";
        }
        return bytes != 0 && bytes % 1024 == 0 ? (bytes >> 10) + "K" : Long.toString(bytes);
    }
}
