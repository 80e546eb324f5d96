package org.mmemu.kernel.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.StringJoiner;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MapcountWord.Encoding;
import org.mmemu.core.page.PageType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mmemu mapcount}: the registry of {@code _mapcount} page-type encodings side by side, or
 * what one 32-bit word means under each of them.
 */
@Command(name = "mapcount", mixinStandardHelpOptions = true,
        description = "Print every page-type encoding of _mapcount side by side, or decode a word.")
final class MapcountCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--word", converter = Word32Converter.class,
            description = "Decode this _mapcount value (decimal or 0x hex, 32 bits) under every encoding.")
    Integer word;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (word == null) {
            printTable(out);
        } else {
            decode(out, word);
        }
        out.flush();
    }

    private static void printTable(PrintWriter out) {
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-20s", "encoding"));
        for (PageType t : PageType.values()) {
            header.append(String.format(Locale.ROOT, " %10s", t.kernelName()));
        }
        out.println(header);
        for (Encoding e : Encoding.values()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s", e.policyName()));
            for (PageType t : PageType.values()) {
                String cell = !e.supports(t) ? "-"
                        : e.rawValue(t) < 0 ? Integer.toString(e.rawValue(t))
                        : "0x" + Integer.toHexString(e.rawValue(t));
                row.append(String.format(Locale.ROOT, " %10s", cell));
            }
            out.println(row);
        }
    }

    private static void decode(PrintWriter out, int value) {
        out.printf(Locale.ROOT, "_mapcount 0x%08x (%d): page_mapcount %d%n", value, value,
                MapcountWord.pageMapcount(value));
        for (Encoding e : Encoding.values()) {
            StringJoiner types = new StringJoiner(",");
            e.typesOf(value).forEach(t -> types.add(t.kernelName()));
            String line = String.format(Locale.ROOT, "%-20s types=%-20s", e.policyName(),
                    types.length() == 0 ? "none" : types.toString());
            out.println(e.kernelHasPageHasType()
                    ? line + " page_has_type=" + e.pageHasType(value) : line.stripTrailing());
        }
    }
}
