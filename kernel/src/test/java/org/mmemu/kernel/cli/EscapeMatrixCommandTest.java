package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.escape.EscapePaths;

/** {@code mmemu escape-matrix} in-process: each option, each format, bad arguments, exit codes. */
class EscapeMatrixCommandTest {
    /** The smallest run whose two cells differ: pipes at 1M in 4.7 (escape) and 4.8 (held). */
    private static final String[] PIPES = {"escape-matrix", "--eras", "4.7,4.8", "--paths", "pipe", "--limit", "1M"};

    private static String[] with(String... more) {
        String[] all = new String[PIPES.length + more.length];
        System.arraycopy(PIPES, 0, all, 0, PIPES.length);
        System.arraycopy(more, 0, all, PIPES.length, more.length);
        return all;
    }

    @Test
    void theTableHasAColumnPerEraARowPerPathAndTheChangeThatClosedIt() {
        CliRun r = CliRun.of(PIPES);

        assertThat(r.status()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("escape matrix: memory.max 1M");
        assertThat(lines.get(1)).matches("path +4\\.7 +4\\.8 +charged since");
        // 4.8 charges the buffers; the first slab pages of the pipe's kmalloc caches are within the tolerance.
        assertThat(lines.get(2)).matches("pipe +16\\.\\d\\dx ESC +0\\.\\d\\dx ok +4\\.8");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(3)).contains("ok = the limit held (within 256K)");
    }

    @Test
    void theProgressBarGoesToStderrCellByCell() {
        CliRun r = CliRun.of(PIPES);

        assertThat(r.err()).contains("escape-matrix").contains("2/2").containsPattern("pipe 4\\.[78]");
        assertThat(r.out()).doesNotContain("2/2");
    }

    @Test
    void csvHasAHeaderAndARowPerCellWithTheMeasuredBytes() {
        CliRun r = CliRun.of(with("--format", "csv"));

        assertThat(r.status()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("path,era,version,applicable,limit_bytes,allocated_bytes,charged_bytes,escaped_bytes");
        String[] escaped = lines.get(1).split(",");
        assertThat(escaped[0]).isEqualTo("pipe");
        assertThat(escaped[1]).isEqualTo(Era.V4_7.name());
        assertThat(Long.parseLong(escaped[7])).as("escaped bytes").isGreaterThanOrEqualTo(15L << 20);
        assertThat(escaped[12]).as("held").isEqualTo("false");
        assertThat(lines.get(2).split(",")[12]).isEqualTo("true");
    }

    @Test
    void jsonCarriesEachPathsKernelChangeAndEachCell() {
        CliRun r = CliRun.of("escape-matrix", "--eras", "4.8", "--paths", "x86-pgtables,s390-pgtables", "--limit", "1M",
                "--format", "json");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("{\"limit_bytes\": 1048576, \"budget_limits\": 16, \"tolerance_bytes\": 262144,");
        assertThat(r.out()).contains("\"name\": \"x86-pgtables\"", "\"release\": \"4.8\"", "\"commit\": \"3e79ec7ddc33\"",
                "\"subject\": \"arch: x86: charge page tables to kmemcg\"");
        // Charged from 6.18, after the latest era's kernel: still held in no era.
        assertThat(r.out()).contains("\"name\": \"s390-pgtables\"", "\"release\": \"6.18\", \"commit\": \"5671ce2a1fc6\"");
        assertThat(r.out()).containsPattern("\"path\": \"x86-pgtables\", \"era\": \"V4_8\", .*\"held\": true");
        assertThat(r.out()).containsPattern("\"path\": \"s390-pgtables\", \"era\": \"V4_8\", .*\"held\": false");
        assertThat(r.out().trim()).endsWith("}");
    }

    @Test
    void explainSaysWhatEachPathDoesTheChangeAndHowEachDriveEnded() {
        CliRun r = CliRun.of(with("--explain"));

        assertThat(r.out()).contains("pipe: the process opens pipes");
        assertThat(r.out()).contains("charged since: 4.8 (pipe: account to kmemcg");
        assertThat(r.out()).contains("sources: fs/pipe.c pipe_write");
        assertThat(r.out()).containsPattern("drives: 4\\.7 budget after \\d+ steps: allocated \\d+[KM]?, charged 0; 4\\.8 ");
    }

    @Test
    void plotWritesAPngHeatMap(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("matrix.png");

        CliRun r = CliRun.of(with("--plot", png.toString()));

        assertThat(r.status()).isZero();
        byte[] head = Files.readAllBytes(png);
        assertThat(head).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void aPlotThatCannotBeWrittenIsExitCode1AfterTheTable(@TempDir Path dir) {
        CliRun r = CliRun.of(with("--plot", dir.resolve("no/such/dir/matrix.png").toString()));

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("pipe");
        assertThat(r.err()).contains("mmemu escape-matrix: cannot write");
    }

    @Test
    void helpDocumentsTheOptionsAndTheExitCodes() {
        CliRun r = CliRun.of("escape-matrix", "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--eras", "--paths", "--limit", "--format", "--plot", "--explain", "Exit codes:");
        for (var p : EscapePaths.ALL) {
            assertThat(r.out()).contains(p.name());
        }
    }

    @Test
    void mmemusHelpSaysTheMatrixIsTheDefaultAndListsTheExitCodes() {
        CliRun r = CliRun.of("--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Without a command, runs escape-matrix", "escape-matrix", "Exit codes:",
                "1   a check failed or a leak was found", "2   bad usage");
    }

    @Test
    void withoutACommandMmemuRunsTheWholeMatrix() {
        CliRun r = CliRun.of();

        assertThat(r.status()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("escape matrix: memory.max 8M");
        assertThat(lines).hasSize(3 + EscapePaths.ALL.size());
        assertThat(lines.get(1).split(" +")).hasSize(2 + Era.values().length + 1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--eras 9.9               | unknown era '9.9'; expected one of 4.7, 4.8",
        "--paths bogus            | unknown path 'bogus'; expected one of pipe, unix-stream, unix-dgram, x86-pgtables",
        "--limit zzz              | not a size: 'zzz'",
        "--limit 512K             | a limit of 524288 bytes is not a whole number of pages from 1M to 64M",
        "--limit 65M              | from 1M to 64M",
        "--format xml             | expected one of [table, csv, json]",
        "--bogus                  | Unknown option: '--bogus'",
    })
    void aBadArgumentIsOneLineAndExitCode2(String args, String message) {
        String[] argv = ("escape-matrix " + args.trim()).split(" +");

        CliRun r = CliRun.of(argv);

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("mmemu escape-matrix: ").contains(message).doesNotContain("Exception");
    }
}
