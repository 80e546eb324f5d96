package org.mmemu.kernel.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.trace.MemoryCurrentSamples;
import org.mmemu.kernel.trace.Trace;
import org.mmemu.kernel.trace.TraceReplay;
import org.mmemu.kernel.trace.Workloads;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mmemu compare}: one workload (built in, or a trace file) replayed under each era, its
 * final cgroup files and the checks' findings side by side, one column per era; optionally
 * memory.current over the run as a chart.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Replay a workload under each era; print its cgroups' files side by side.",
            "Per era: memory.current, the memory.stat keys of kernel memory and memory.events of every"
                + " cgroup the workload made, the calls that failed, the leaks and the bad pages.",
            "Built-in workloads:",
            "  pipe-storm     a cgroup at memory.max fills pipes; another reads and tees",
            "  slab-churn     accounted kmalloc objects allocated and freed in waves",
            "  dying-cgroups  cgroups removed while pipe pages charged to them live on",
            "  socket-storm   AF_UNIX buffers sent in one cgroup, received in another",
            "  foreign-bpf    BPF hash elements added from another cgroup; arrays mapped",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every era ran clean", "1:a leak or a bad page was found in some era",
            "2:bad usage: a bad argument, or a malformed trace (FILE:LINE: message; nothing ran)"})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--workload", required = true, paramLabel = "NAME|FILE",
            description = "A built-in workload (above) or a trace file.")
    String workload;

    @Option(names = "--eras", split = ",", converter = EraConverter.class, paramLabel = "ERA",
            description = "The eras to compare, comma-separated (default: every era).")
    List<Era> eras;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "Also draw memory.current over the run, per cgroup and era, to this PNG.")
    Path plot;

    @Mixin
    ReplayOptions options;

    @Override
    public Integer call() throws IOException {
        Trace trace = Workloads.has(workload) ? Workloads.load(workload)
                : ReplayOptions.parse(Path.of(workload), "mmemu compare", spec.commandLine().getErr());
        if (trace == null) {
            return CommandLine.ExitCode.USAGE;
        }
        List<Era> chosen = eras == null ? Arrays.asList(Era.values()) : eras;
        Map<Era, TraceReplay.Result> results = new LinkedHashMap<>();
        Map<Era, MemoryCurrentSamples> samples = new LinkedHashMap<>();
        PrintWriter quiet = new PrintWriter(PrintWriter.nullWriter());
        for (Era era : chosen) {
            MemoryCurrentSamples s = new MemoryCurrentSamples();
            results.put(era, TraceReplay.run(trace, era, options.kernelConfig(), options.seed, false, quiet, s));
            samples.put(era, s);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("# " + trace.name() + ", " + trace.steps().size() + " operations, seed " + options.seed);
        out.print(table(results));
        results.forEach((era, r) -> {
            r.kmemleak().forEach(leak -> out.println(era.version() + ": kmemleak: " + leak));
            r.problems().forEach(p -> out.println(era.version() + ": " + p.strip().lines().findFirst().orElse("")));
        });
        if (plot != null) {
            MemoryCurrentPlot.write(trace.name(), samples, plot);
            out.println("# plot: " + plot);
        }
        out.flush();
        return results.values().stream().allMatch(TraceReplay.Result::clean) ? CommandLine.ExitCode.OK : 1;
    }

    /**
     * One row per cgroup value, one column per era. The rows are the union of the eras' rows, a
     * row only some eras have placed after the row it follows there, so each cgroup's rows stay
     * together in the files' order.
     */
    private static String table(Map<Era, TraceReplay.Result> results) {
        List<String> rows = new ArrayList<>();
        for (TraceReplay.Result r : results.values()) {
            int at = 0;
            for (String row : r.cgroups().keySet()) {
                int i = rows.indexOf(row);
                if (i < 0) {
                    rows.add(at, row);
                    i = at;
                }
                at = i + 1;
            }
        }
        List<String[]> lines = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of(""));
        results.keySet().forEach(e -> head.add(e.version()));
        lines.add(head.toArray(String[]::new));
        for (String row : rows) {
            lines.add(line(row, results, r -> r.cgroups().getOrDefault(row, "-")));
        }
        lines.add(line("errnos", results, r -> Integer.toString(r.outcome().errnos())));
        lines.add(line("leaks", results, r -> Long.toString(r.leaks())));
        lines.add(line("bad pages", results, r -> Long.toString(r.badPages())));
        return align(lines);
    }

    private static String[] line(String name, Map<Era, TraceReplay.Result> results,
                                 Function<TraceReplay.Result, String> cell) {
        List<String> cells = new ArrayList<>(List.of(name));
        results.values().forEach(r -> cells.add(cell.apply(r)));
        return cells.toArray(String[]::new);
    }

    /** The first column left-aligned, the others right-aligned, two spaces apart. */
    private static String align(List<String[]> lines) {
        int[] width = new int[lines.get(0).length];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] l : lines) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width[0] + "s", l[0]));
            for (int i = 1; i < l.length; i++) {
                line.append(String.format(Locale.ROOT, "  %" + width[i] + "s", l[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
