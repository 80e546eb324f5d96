package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Eras" table is what {@link org.mmemu.kernel.Era} selects: the table under the
 * section's heading equals {@code mmemu eras --format markdown}, which regenerates it.
 */
class ReadmeErasTableTest {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void theReadmeErasTableIsTheGeneratedOne() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int section = lines.indexOf("## Eras");
        assertThat(section).as("README.md has an \"## Eras\" section").isNotNegative();
        int start = section;
        while (start < lines.size() && !lines.get(start).startsWith("| era |")) {
            start++;
        }
        int end = start;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        String table = String.join("\n", lines.subList(start, end)) + "\n";

        assertThat(table).as("README.md's Eras table; regenerate it with ./mmemu eras --format markdown")
                .isEqualTo(EraTable.markdown());
    }
}
