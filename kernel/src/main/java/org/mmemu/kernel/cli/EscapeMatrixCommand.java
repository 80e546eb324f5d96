package org.mmemu.kernel.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.escape.EscapeCell;
import org.mmemu.kernel.escape.EscapeMatrix;
import org.mmemu.kernel.escape.EscapePath;
import org.mmemu.kernel.escape.EscapePaths;
import org.mmemu.kernel.escape.KernelChange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mmemu escape-matrix}: every kernel-memory path driven under every era by a process in
 * a cgroup at {@code memory.max} ({@link EscapeMatrix}); the matrix on stdout, a progress bar
 * on stderr, a heat map with {@code --plot}.
 */
@Command(name = "escape-matrix", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drive each kernel-memory path under each era from a process in a cgroup whose memory.max is the"
                + " limit, until its calls fail or the kernel allocated 16x the limit, and print how much kernel memory"
                + " escaped the cgroup's charge (allocated by the page allocator, not charged), as a multiple of the limit.",
                "Paths: pipe, unix-stream, unix-dgram, x86-pgtables, s390-pgtables, slab, vmalloc, kmalloc-large, bpf-array, bpf-mmapable-array, bpf-hash-foreign (--explain says what each does"
                        + " and the kernel change that got it charged)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every cell ran and its teardown was clean (escapes are findings, not failures)",
                        "1:a cell's teardown found a leak, a charge left or a broken invariant, or --plot failed",
                        "2:bad usage"})
final class EscapeMatrixCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--eras", split = ",", paramLabel = "ERA", converter = EraConverter.class,
            description = "Eras to run, by version (4.7,4.8,...,latest; see 'mmemu eras'); default: every era.")
    List<Era> eras;

    @Option(names = "--paths", split = ",", paramLabel = "PATH", converter = PathConverter.class,
            description = "Paths to drive, by name; default: every path.")
    List<EscapePath> paths;

    @Option(names = "--limit", paramLabel = "SIZE", defaultValue = "8M", converter = LimitConverter.class,
            description = "The cgroup's memory.max, 1M to 64M, whole pages (default: ${DEFAULT-VALUE}).")
    long limit;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default), csv or json (with each path's kernel change and each cell's figures).")
    EscapeMatrixFormat format;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Also draw the matrix as a PNG heat map.")
    Path plot;

    @Option(names = "--explain", description = "After the table: what each path does, the kernel change that got it"
            + " charged (commit, release, the sources showing it) and how each cell's drive ended.")
    boolean explain;

    @Override
    public Integer call() {
        List<Era> runEras = eras == null ? Arrays.asList(Era.values()) : eras;
        List<EscapePath> runPaths = paths == null ? EscapePaths.ALL : paths;
        EscapeMatrix matrix = new EscapeMatrix(limit);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<EscapeCell> cells;
        try (MatrixProgress progress = new MatrixProgress(err, runEras.size() * runPaths.size())) {
            cells = matrix.run(runPaths, runEras, progress::done);
        }
        out.print(format.render(matrix, runPaths, runEras, cells));
        if (explain) {
            out.print(explanation(runPaths, runEras, cells));
        }
        out.flush();
        int status = cells.stream().anyMatch(EscapeCell::leaked) ? 1 : 0;
        for (EscapeCell c : cells) {
            c.problems().forEach(p -> err.println("mmemu escape-matrix: " + c.path() + " " + c.era().version() + ": " + p));
        }
        if (plot != null) {
            try {
                EscapeHeatMap.write(plot, limit, runPaths, runEras, cells);
            } catch (IOException e) {
                err.println("mmemu escape-matrix: cannot write " + plot + ": " + e.getMessage());
                status = 1;
            }
        }
        err.flush();
        return status;
    }

    private static String explanation(List<EscapePath> paths, List<Era> eras, List<EscapeCell> cells) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (EscapePath p : paths) {
            KernelChange k = p.closedBy();
            sb.append(String.format(Locale.ROOT, "%n%s: the process %s.%n  charged since: %s%n  sources: %s%n",
                    p.name(), p.description(), k, k.evidence()));
            List<String> ends = new ArrayList<>();
            for (int j = 0; j < eras.size(); j++) {
                EscapeCell c = cells.get(i++);
                ends.add(c.applicable() ? String.format(Locale.ROOT, "%s %s after %d steps: allocated %s, charged %s",
                        c.era().version(), c.stop(), c.steps(), EscapeMatrixFormat.size(c.allocatedBytes()),
                        EscapeMatrixFormat.size(c.chargedBytes())) : c.era().version() + " n/a");
            }
            sb.append("  drives: ").append(String.join("; ", ends)).append(String.format(Locale.ROOT, "%n"));
        }
        return sb.toString();
    }
}
