package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceOps;
import org.mmemu.kernel.trace.Workloads;

/**
 * docs/TRACE.md is true: its example trace, run as it says, prints the output it shows; its
 * tables name every operation with its usage, and every built-in workload.
 */
class TraceDocExampleTest {
    private static final Path DOC = Path.of("..", "docs", "TRACE.md");

    @TempDir
    Path dir;

    /** The body of the first fenced block of {@code lang} in the doc. */
    private static String block(String doc, String lang) {
        int start = doc.indexOf("```" + lang + "\n");
        assertThat(start).as("docs/TRACE.md has a ```%s block", lang).isNotNegative();
        int body = start + lang.length() + 4;
        return doc.substring(body, doc.indexOf("```\n", body));
    }

    @Test
    void theExampleTracePrintsTheOutputTheDocShows() throws IOException {
        String doc = Files.readString(DOC);
        Path trace = dir.resolve("example.trace");
        Files.writeString(trace, block(doc, "trace"));
        assertThat(doc).contains("`./mmemu run --era 5.11 --trace example.trace --memory 64M`");

        CliRun r = CliRun.of("run", "--era", "5.11", "--trace", trace.toString(), "--memory", "64M");

        assertThat(r.status()).isZero();
        assertThat(r.out().replace(trace.toString(), "example.trace")).isEqualTo(block(doc, "text"));
    }

    @Test
    void theOperationsTableNamesEveryOperationWithItsUsage() throws IOException {
        String doc = Files.readString(DOC);
        for (OpSpec spec : TraceOps.SPECS) {
            assertThat(doc).contains("| `" + spec.toString().replace("|", "\\|") + "` |");
        }
    }

    @Test
    void theWorkloadsTableNamesEveryBuiltInWorkload() throws IOException {
        String doc = Files.readString(DOC);
        for (String name : Workloads.NAMES) {
            assertThat(doc).contains("| `" + name + "` |");
        }
    }
}
