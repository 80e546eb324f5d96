package org.mmemu.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The quick profile: every benchmark the targets need in one run of this class, then the
 * footprint, and the targets as a table computed from this one run. The timed
 * benchmarks run with two 500 ms warmup and three 1-second measurement iterations in each of
 * the benchmark's forks (three for the ratio benchmarks: on this machine one fork of the same
 * code runs anywhere between 0.5x and 1x of another, steady within the fork, so a ratio of
 * single forks says little), with the GC profiler (allocation per operation). The selftest-sized
 * test follows with its own, longer warmup, and the single-shot benchmarks (boot, boot + close,
 * the escape matrix) with their own shot counts: each is warmed up as a test suite's JVM is warm.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.mmemu.bench.Quick [JMH options]</pre>
 *
 * JMH options given on the command line ({@code -f}, {@code -i}, {@code -r}, {@code -rf json}
 * ...) override the quick defaults in every part; with {@code -rf} the selftest's and the single
 * shots' results go to files of their own, {@code <name>-own-warmup.<ext>} and
 * {@code <name>-single-shot.<ext>}. A benchmark regex replaces the default
 * selection and runs in one part with the quick defaults. Never pass {@code -t}: the scaling
 * ratios rely on each benchmark's own thread count.
 */
public final class Quick {
    /** The machine size the footprint is measured on. */
    static final String FOOTPRINT_SIZE = "1G";
    /** The single-shot benchmarks, run with their own warmup and shot counts. */
    static final String SINGLE_SHOT = "org\\.mmemu\\.bench\\.(BootBenchmark|KernelBootBenchmark|EscapeMatrixBenchmark)\\.";
    /**
     * Warmed up by their own annotations: a selftest-sized test boots and closes whole machines,
     * and still runs 30% slow after Quick's two 500 ms warmups (4.7: 2.2 ms per test against
     * 1.7 ms after five seconds).
     */
    static final String OWN_WARMUP = "org\\.mmemu\\.bench\\.SelftestBenchmark\\.";
    /** Not in the targets: the interleaving points' overhead, the free pointer's access paths. */
    static final String NOT_IN_TARGETS = "org\\.mmemu\\.bench\\.(InterleavingPointBenchmark\\.|KmallocBenchmark\\.freePointer)";

    private Quick() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.getThreads().hasValue()) {
            throw new IllegalArgumentException("-t overrides the thread counts the scaling ratios need");
        }
        Collection<RunResult> results = new ArrayList<>();
        if (!cli.getIncludes().isEmpty()) {
            results.addAll(run(timed(cli)));
        } else {
            results.addAll(run(timed(cli).exclude(SINGLE_SHOT).exclude(OWN_WARMUP).exclude(NOT_IN_TARGETS)));
            results.addAll(run(resultFile(cli, "own-warmup", profiled(cli).include(OWN_WARMUP))));
            results.addAll(run(resultFile(cli, "single-shot", profiled(cli).include(SINGLE_SHOT))));
        }
        double footprint = Footprint.bytesPerPage(FOOTPRINT_SIZE);
        System.out.println();
        System.out.print(Targets.of(results, footprint).markdown());
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    /**
     * A result file of its own for a later part, beside the timed part's ({@code -rf}/{@code -rff}):
     * {@code <name>-<part>.<ext>}.
     */
    private static ChainedOptionsBuilder resultFile(CommandLineOptions cli, String part, ChainedOptionsBuilder options) {
        if (cli.getResultFormat().hasValue()) {
            String name = cli.getResult().orElse("jmh-result." + cli.getResultFormat().get().toString().toLowerCase(Locale.ROOT));
            options.result(name.replaceFirst("(\\.[^./]*)?$", "-" + part + "$1"));
        }
        return options;
    }

    /** The command line's options with the quick iteration defaults where it sets none. */
    private static ChainedOptionsBuilder timed(CommandLineOptions cli) {
        ChainedOptionsBuilder options = profiled(cli);
        if (!cli.getWarmupIterations().hasValue()) {
            options.warmupIterations(2);
        }
        if (!cli.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.milliseconds(500));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            options.measurementIterations(3);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(1));
        }
        return options;
    }

    /** The command line's options, with the GC profiler unless it names profilers. */
    private static ChainedOptionsBuilder profiled(CommandLineOptions cli) {
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (cli.getProfilers().isEmpty()) {
            options.addProfiler(GCProfiler.class);
        }
        return options;
    }
}
