package org.mmemu.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.escape.EscapeCell;
import org.mmemu.kernel.escape.EscapeMatrix;
import org.mmemu.kernel.escape.EscapePaths;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 3 of the benchmark issue: the wall time of {@code mmemu escape-matrix} with its defaults,
 * every path under every era at the 8 MiB limit, on the matrix's own thread pool; a single shot
 * per iteration, as a user pays it from a cold start to the last cell.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public class EscapeMatrixBenchmark {
    /** All cells; a cell that found a problem fails the shot, as the command exits non-zero. */
    @Benchmark
    public List<EscapeCell> allErasAllPaths() {
        List<EscapeCell> cells = new EscapeMatrix(EscapeMatrix.DEFAULT_LIMIT)
                .run(EscapePaths.ALL, List.of(Era.values()), cell -> { });
        for (EscapeCell cell : cells) {
            if (!cell.problems().isEmpty()) {
                throw new IllegalStateException(cell.path() + " " + cell.era() + ": " + cell.problems());
            }
        }
        return cells;
    }
}
