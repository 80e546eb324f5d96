package org.mmemu.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation of the benchmark's own threads (the JMH workers) and of the whole JVM,
 * side by side, so that the work a benchmark leaves to other threads (GC, JIT, refinement) shows
 * as their difference, which neither throughput nor {@code -prof gc} shows:
 * {@code -prof org.mmemu.bench.ThreadCpuProfiler}. Units: ns per operation; {@code cpu.ratio} is
 * process ÷ workers.
 */
public final class ThreadCpuProfiler implements InternalProfiler {
    private static final String WORKER = "jmh-worker";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long workersBefore;
    private long processBefore;

    @Override
    public String getDescription() {
        return "CPU ns per op of the JMH worker threads and of the whole JVM";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
        workersBefore = workerCpu();
        processBefore = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmark, IterationParams iteration,
            IterationResult result) {
        long workers = workerCpu() - workersBefore;
        long process = os.getProcessCpuTime() - processBefore;
        double ops = result.getMetadata().getMeasuredOps();
        if (ops <= 0) {
            return List.of();
        }
        return List.of(
                new ScalarResult("cpu.thread", workers / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.process", process / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.ratio", workers == 0 ? 0 : (double) process / workers, "x", AggregationPolicy.AVG));
    }

    /** The CPU time of the live JMH worker threads (they live across the iterations of a trial). */
    private long workerCpu() {
        long sum = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(WORKER)) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }
}
