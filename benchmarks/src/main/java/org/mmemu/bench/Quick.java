package org.mmemu.bench;

import java.util.Collection;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The quick profile: every benchmark in one JMH run, two 1-second warmup and three 1-second
 * measurement iterations in each of the benchmark's forks (three for the ratio benchmarks: on
 * this machine one fork of the same code runs anywhere between 0.5x and 1x of another, steady
 * within the fork, so a ratio of single forks says little), with the GC profiler (allocation
 * per operation); then the footprint, and the targets as a table computed from this
 * one run.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.mmemu.bench.Quick [JMH options]</pre>
 *
 * JMH options given on the command line (a benchmark regex, {@code -f}, {@code -i}, {@code -r},
 * {@code -rf json} ...) override the quick defaults. Never pass {@code -t}: the scaling ratios
 * rely on each benchmark's own thread count.
 */
public final class Quick {
    /** The machine size the footprint is measured on. */
    static final String FOOTPRINT_SIZE = "1G";

    private Quick() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (!cli.getWarmupIterations().hasValue()) {
            options.warmupIterations(2);
        }
        if (!cli.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            options.measurementIterations(3);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(1));
        }
        if (cli.getProfilers().isEmpty()) {
            options.addProfiler(GCProfiler.class);
        }
        if (cli.getThreads().hasValue()) {
            throw new IllegalArgumentException("-t overrides the thread counts the scaling ratios need");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        double footprint = Footprint.bytesPerPage(FOOTPRINT_SIZE);
        System.out.println();
        System.out.print(Targets.of(results, footprint).markdown());
    }
}
