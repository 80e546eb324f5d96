package org.mmemu.kernel.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;
import org.mmemu.kernel.Era;

/**
 * The era table, read from {@link Era}: one row per era, one column per choice of every module's
 * descriptor, in the formats {@code mmemu eras} prints. The Markdown one is README.md's table.
 */
final class EraTable {
    /** The formats by name, the default first. */
    static final Map<String, Supplier<String>> FORMATS = formats();

    private EraTable() {
    }

    private static Map<String, Supplier<String>> formats() {
        Map<String, Supplier<String>> f = new LinkedHashMap<>();
        f.put("table", EraTable::text);
        f.put("csv", EraTable::csv);
        f.put("json", EraTable::json);
        f.put("markdown", EraTable::markdown);
        return Collections.unmodifiableMap(f);
    }

    private static List<EraChoice<?>> choices() {
        return Era.descriptors().stream().flatMap(d -> d.choices().stream()).toList();
    }

    private static List<String> header() {
        List<String> h = new ArrayList<>(List.of("era", "version"));
        choices().forEach(c -> h.add(c.column()));
        return h;
    }

    private static List<String> row(Era era) {
        List<String> r = new ArrayList<>(List.of(era.name(), era.version()));
        choices().forEach(c -> r.add(c.text(era.release())));
        return r;
    }

    /** Aligned columns, two spaces apart. */
    static String text() {
        List<List<String>> lines = new ArrayList<>();
        lines.add(header());
        for (Era e : Era.values()) {
            lines.add(row(e));
        }
        return TextFormats.columns(lines);
    }

    /** RFC 4180: a header line, then one line per era. */
    static String csv() {
        StringBuilder sb = new StringBuilder(csvLine(header()));
        for (Era e : Era.values()) {
            sb.append(csvLine(row(e)));
        }
        return sb.toString();
    }

    private static String csvLine(List<String> cells) {
        return cells.stream().map(TextFormats::csvCell).collect(Collectors.joining(",", "", "\n"));
    }

    /** An array of eras, each with its choices: module, choice, kind and policy (or value). */
    static String json() {
        StringJoiner eras = new StringJoiner(",\n", "[\n", "\n]\n");
        for (Era e : Era.values()) {
            StringJoiner choices = new StringJoiner(",\n", "[\n", "\n  ]");
            for (EraDescriptor d : Era.descriptors()) {
                for (EraChoice<?> c : d.choices()) {
                    choices.add("    {" + jsonField("module", d.name()) + ", " + jsonField("choice", c.column())
                            + ", " + jsonField("kind", c.kind().getSimpleName()) + ", "
                            + jsonField(c.isPolicy() ? "policy" : "value", c.text(e.release())) + "}");
                }
            }
            eras.add("  {" + jsonField("era", e.name()) + ", " + jsonField("version", e.version())
                    + ", \"choices\": " + choices + "}");
        }
        return eras.toString();
    }

    private static String jsonField(String name, String value) {
        return TextFormats.jsonString(name) + ": " + TextFormats.jsonString(value);
    }

    /** A GitHub Markdown table, policy names as code: README.md's "Eras" table. */
    static String markdown() {
        List<String> h = header();
        StringBuilder sb = new StringBuilder(markdownLine(h));
        sb.append(markdownLine(Collections.nCopies(h.size(), "---")));
        for (Era e : Era.values()) {
            List<String> cells = new ArrayList<>(List.of("`" + e.name() + "`", e.version()));
            choices().forEach(c -> cells.add(c.isPolicy() ? "`" + c.text(e.release()) + "`" : c.text(e.release())));
            sb.append(markdownLine(cells));
        }
        return sb.toString();
    }

    private static String markdownLine(List<String> cells) {
        return cells.stream().collect(Collectors.joining(" | ", "| ", " |\n"));
    }
}
