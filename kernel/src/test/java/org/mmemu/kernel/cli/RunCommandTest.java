package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.kernel.Era;

/** {@code mmemu run}, in process: its output, its exit status, its seed. Each run closes and checks its kernel. */
class RunCommandTest {
    @TempDir
    Path dir;

    private Path trace(String text) throws IOException {
        Path p = dir.resolve("t.trace");
        Files.writeString(p, text);
        return p;
    }

    private static CliRun run(Path trace, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--trace", trace.toString(), "--memory", "64M"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static final String PIPE_TRACE = """
            mkdir /a
            spawn t /a
            pipe t p
            write t p.w 8K
            read t p.r 100
            read t p.r 100000
            read t p.r 1
            drain
            """;

    @ParameterizedTest
    @EnumSource(Era.class)
    void aCleanTracePrintsEachCallThenTheCgroupFilesAndExits0(Era era) throws IOException {
        CliRun r = run(trace(PIPE_TRACE), "--era", era.version());

        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("# " + dir.resolve("t.trace") + " under " + era.version() + ", seed 1");
        assertThat(lines).contains("4: write t p.w 8K = 8192", "5: read t p.r 100 = 100", "6: read t p.r 100000 = 8092",
                "7: read t p.r 1 = -1 EAGAIN", "# cgroups", "# checks");
        assertThat(lines).anyMatch(l -> l.matches("/a memory\\.current \\d+"))
                .anyMatch(l -> l.matches("/a memory\\.events max 0"))
                .anyMatch(l -> l.matches("/a memory\\.stat slab \\d+"));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("clean");
    }

    @Test
    void aKmallocNeverFreedIsAKmemleakReportAndExits1() throws IOException {
        CliRun r = run(trace("spawn t /\nkmalloc t lost 20K account\n"), "--era", "latest");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).containsPattern("kmemleak: unreferenced object 0xffff[0-9a-f]+ \\(lost\\)")
                .contains("page leak:");
        assertThat(r.out().lines().reduce((a, b) -> b)).hasValueSatisfying(l -> assertThat(l).endsWith("bad page(s)"));
    }

    @Test
    void aDoubleFreeIsFoundByTheSlabCheckAndExits1() throws IOException {
        CliRun r = run(trace("spawn t /\nkmalloc t o 64\nkfree t o\nkfree t o\n"), "--era", "5.11");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("slab: kmalloc-64: object 0x").contains("is on a free list twice");
    }

    @Test
    void aFailedCallIsShownAndTheRunGoesOnUnlessStopOnErrno() throws IOException {
        Path t = trace("spawn t /\nexit t\nexit t\nspawn u /\n");

        CliRun goesOn = run(t, "--era", "4.8");
        assertThat(goesOn.status()).isZero();
        assertThat(goesOn.out()).contains("3: exit t = -1 ESRCH\n4: spawn u / = ");

        CliRun stops = run(t, "--era", "4.8", "--stop-on-errno");
        assertThat(stops.status()).isEqualTo(1);
        assertThat(stops.out()).contains("3: exit t = -1 ESRCH\n# cgroups").doesNotContain("4: spawn")
                .contains("stopped: " + t + ":3: exit t failed with ESRCH");
    }

    @Test
    void theSameSeedGivesByteIdenticalOutputAndAnotherSeedAnother() throws IOException {
        Path t = trace("mkdir /a\nspawn t /a\npipe t p\n" + "write t p.w rand:16K rand\nread t p.r rand:8K\n".repeat(10)
                + "kmalloc t o rand:64K account\nkfree t o\n");

        CliRun first = run(t, "--era", "5.11", "--seed", "42");
        CliRun again = run(t, "--era", "5.11", "--seed", "42");
        CliRun other = run(t, "--era", "5.11", "--seed", "43");

        assertThat(first.status()).isZero();
        assertThat(again.out()).isEqualTo(first.out());
        assertThat(other.out()).isNotEqualTo(first.out());
        assertThat(other.out()).startsWith("# " + t + " under 5.11, seed 43");
    }

    @Test
    void aMalformedTraceIsOneLineWithItsFileAndLineAndNothingRuns() throws IOException {
        Path t = trace("mkdir /a\nspawn t /a\n\nwrite t q.w 4K\n");

        CliRun r = run(t, "--era", "5.11");

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).as("nothing ran").isEmpty();
        assertThat(r.err()).isEqualTo(t + ":4: unknown fd 'q.w'\n");
    }

    @Test
    void theHelpDocumentsTheExitStatus() {
        CliRun r = CliRun.of("run", "--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--era=ERA", "--trace=FILE", "--seed", "--stop-on-errno", "Exit status:",
                "0   the trace ran", "1   a leak", "2   bad usage");
    }
}
