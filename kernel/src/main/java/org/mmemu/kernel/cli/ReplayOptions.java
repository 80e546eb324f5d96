package org.mmemu.kernel.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mmemu.core.MemoryConfig;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.trace.Trace;
import org.mmemu.kernel.trace.TraceParser;
import org.mmemu.kernel.trace.TraceSyntaxException;
import picocli.CommandLine.Option;

/** The options of the commands that replay traces ({@code run}, {@code compare}): the machine and the seed. */
final class ReplayOptions {
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
            description = "Seed of the trace's rand lengths and bytes: the same seed, the same output (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--memory", defaultValue = "256M", converter = MemoryConverter.class, paramLabel = "SIZE",
            description = "Emulated memory of each kernel (default ${DEFAULT-VALUE}).")
    MemoryConfig memory;

    /** The kernels' configuration: {@code --memory}, the defaults otherwise. */
    KernelConfig kernelConfig() {
        return KernelConfig.memory(Long.toString(memory.bytes()));
    }

    /**
     * Parses the trace file at {@code path}; null after printing one line to {@code err} if it
     * cannot be read or is malformed ({@code FILE:LINE: message}).
     */
    static Trace parse(Path path, String command, PrintWriter err) {
        String why;
        if (Files.isRegularFile(path)) {
            try {
                return TraceParser.parse(path);
            } catch (TraceSyntaxException e) {
                why = e.getMessage();
            } catch (UncheckedIOException e) {
                why = command + ": cannot read trace '" + path + "': " + e.getCause().getMessage();
            }
        } else {
            why = command + ": no trace file '" + path + "'";
        }
        err.println(why);
        err.flush();
        return null;
    }
}
