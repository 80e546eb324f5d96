package org.mmemu.kernel.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.mmemu.core.page.GfpLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mmemu gfp}: names a gfp mask (5.11+ bit values) and shows its value in each era. */
@Command(name = "gfp", mixinStandardHelpOptions = true,
        description = "Decode a gfp mask given in 5.11+ bit values, e.g. 0x400cc0.")
final class GfpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MASK", converter = Word32Converter.class,
            description = "The mask, decimal or 0x hex, at most 32 bits.")
    int gfp;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        out.println(GfpLayout.V5_11.names(gfp));
        for (GfpLayout layout : GfpLayout.values()) {
            int unknown = layout.unknownBits(gfp);
            out.printf(Locale.ROOT, "%-5s %s%s%n", layout.name(), layout.format(gfp),
                    unknown == 0 ? "" : "  (0x" + Integer.toHexString(unknown) + ": no such flags then)");
        }
        out.flush();
    }
}
