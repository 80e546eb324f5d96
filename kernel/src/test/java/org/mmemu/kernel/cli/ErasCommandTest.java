package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.kernel.Era;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import picocli.CommandLine;

/** {@code mmemu eras} prints what every {@link Era} selects, in each format. */
class ErasCommandTest {
    /** A line's cells: aligned columns are two or more spaces apart. */
    private static final Pattern COLUMNS = Pattern.compile(" {2,}");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new Mmemu());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private static String[] lines(StringWriter w) {
        return w.toString().split("\n");
    }

    /** What a row must say for {@code era}: its name, version, policies and memcg config. */
    private static List<String> expectedCells(Era era) {
        List<String> cells = new ArrayList<>(List.of(era.name(), era.version()));
        Era.descriptors().forEach(d -> d.choices().forEach(c -> cells.add(c.text(era.release()))));
        return cells;
    }

    @Test
    void theDefaultTableHasOneAlignedRowPerEraWithEveryChoice() {
        assertThat(run("eras")).isZero();

        String[] lines = lines(out);
        assertThat(lines).hasSize(1 + Era.values().length);
        assertThat(COLUMNS.split(lines[0])).startsWith("era", "version", "page types", "gfp names")
                .contains("kmem", "memcg config", "memory.stat", "s390 layout");
        for (Era era : Era.values()) {
            String[] cells = COLUMNS.split(lines[1 + era.ordinal()]);
            assertThat(cells).containsExactlyElementsOf(expectedCells(era));
            assertThat(cells).containsAll(era.policies().values());
        }
        assertThat(lines[0].indexOf("kmem")).as("aligned").isEqualTo(lines[1].indexOf(Era.V4_7.policy(
                KmemAccountingPolicy.class)));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void csvQuotesTheCellsThatHoldCommas() {
        assertThat(run("eras", "--format", "csv")).isZero();

        String[] lines = lines(out);
        assertThat(lines[0]).startsWith("era,version,page types,gfp names,");
        assertThat(lines).hasSize(1 + Era.values().length);
        String latest = lines[lines.length - 1];
        assertThat(latest).startsWith("LATEST,latest," + Era.LATEST.policy(PageTypeEncoding.class))
                .contains(",\"" + Era.LATEST.memcgConfig().chargeBatch() + ", ");
        assertThat(latest.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1)).hasSize(lines[0].split(",").length);
    }

    @Test
    void jsonGivesEachChoiceItsModuleKindAndPolicyOrValue() {
        assertThat(run("eras", "--format", "json")).isZero();

        String json = out.toString();
        assertThat(json).startsWith("[").endsWith("]\n");
        assertThat(Pattern.compile("\"era\": ").matcher(json).results().count()).isEqualTo(Era.values().length);
        assertThat(json).contains("{\"era\": \"V4_18\", \"version\": \"4.18\", \"choices\": [")
                .contains("{\"module\": \"mm-core\", \"choice\": \"page types\", \"kind\": \"PageTypeEncoding\", "
                        + "\"policy\": \"" + Era.V4_18.policy(PageTypeEncoding.class) + "\"}")
                .contains("{\"module\": \"memcg\", \"choice\": \"memcg config\", \"kind\": \"MemcgConfig\", \"value\": ");
        assertThat(json.chars().filter(c -> c == '{').count()).isEqualTo(json.chars().filter(c -> c == '}').count());
    }

    @Test
    void anUnknownFormatIsOneLineOnStderrAndExitCode2() {
        assertThat(run("eras", "--format", "xml")).isEqualTo(2);

        assertThat(out.toString()).isEmpty();
        assertThat(lines(err)).hasSize(1);
        assertThat(err.toString()).contains("'xml'").contains("table, csv, json, markdown");
    }

    @Test
    void theHelpListsTheCommand() {
        assertThat(run("--help")).isZero();
        assertThat(Arrays.stream(lines(out))).anyMatch(l -> l.trim().startsWith("eras "));
    }
}
