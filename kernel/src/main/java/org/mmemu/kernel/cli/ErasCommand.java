package org.mmemu.kernel.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mmemu eras}: what every era preset selects, every module's choices and their policy
 * names, as aligned columns, CSV, JSON or the Markdown table of README.md.
 */
@Command(name = "eras", mixinStandardHelpOptions = true,
        description = "Print every era and what it selects: each module's choices and their policy names.")
final class ErasCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default), csv, json, or markdown (README.md's Eras table).")
    String format;

    @Override
    public Integer call() {
        Supplier<String> render = EraTable.FORMATS.get(format);
        if (render == null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("mmemu eras: unknown --format '" + format + "'; expected one of "
                    + String.join(", ", EraTable.FORMATS.keySet()));
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(render.get());
        out.flush();
        return CommandLine.ExitCode.OK;
    }
}
