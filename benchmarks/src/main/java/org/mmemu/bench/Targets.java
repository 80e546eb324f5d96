package org.mmemu.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.mmemu.kernel.Era;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * The benchmark issue's targets computed from one JMH run, as a Markdown table: each ratio with
 * the two scores it divides, the target, and whether it was met. A benchmark left out of the run
 * shows as "not run".
 */
final class Targets {
    /** Target 4: an accounted pair at least this share of its unaccounted one (the kernel's own is ~0.39×). */
    static final double ACCOUNTED_SHARE = 0.5;
    /** Target 1: boot + close at 1 GiB, median, in ms. */
    static final double BOOT_AND_CLOSE_MS = 5;
    /** Target 3: the escape matrix's wall time, median, in s. */
    static final double ESCAPE_MATRIX_S = 20;

    /** Allocation per operation below this counts as none (JMH's own bookkeeping shows up as ~0.001). */
    static final double NO_ALLOCATION_BYTES = 1.0;

    private final Map<String, Double> scores;
    private final Map<String, Double> allocNorms;
    private final double footprintBytesPerPage;
    private final List<String> rows = new ArrayList<>();

    /**
     * @param scores     primary scores by {@link #key} (ops/µs, or ms for the boot benchmark)
     * @param allocNorms gc.alloc.rate.norm (bytes per op) by key, where measured
     */
    Targets(Map<String, Double> scores, Map<String, Double> allocNorms, double footprintBytesPerPage) {
        this.scores = Map.copyOf(scores);
        this.allocNorms = Map.copyOf(allocNorms);
        this.footprintBytesPerPage = footprintBytesPerPage;
        computeRows();
    }

    /** The targets of one JMH run. */
    static Targets of(Collection<RunResult> results, double footprintBytesPerPage) {
        Map<String, Double> scores = new HashMap<>();
        Map<String, Double> norms = new HashMap<>();
        for (RunResult r : results) {
            String key = key(r.getParams());
            scores.put(key, r.getPrimaryResult().getScore());
            // Pipe and socket benchmarks share method names: their rows use the class-qualified key.
            String qualified = qualifiedKey(r.getParams());
            scores.put(qualified, r.getPrimaryResult().getScore());
            scores.put(qualified + ":p50", r.getPrimaryResult().getStatistics().getPercentile(50));
            for (Map.Entry<String, Result> aux : r.getSecondaryResults().entrySet()) {
                scores.put(qualified + ":" + aux.getKey(), aux.getValue().getScore());
            }
            Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (norm != null) {
                norms.put(key, norm.getScore());
            }
        }
        return new Targets(scores, norms, footprintBytesPerPage);
    }

    /** {@code method[param=value,...]}, e.g. {@code order0[machine=objcg]}, {@code nettyPooled4k[]}. */
    static String key(BenchmarkParams p) {
        String name = p.getBenchmark();
        Map<String, String> params = new TreeMap<>();
        for (String k : p.getParamsKeys()) {
            params.put(k, p.getParam(k));
        }
        return name.substring(name.lastIndexOf('.') + 1) + params.toString().replace('{', '[').replace('}', ']')
                .replace(", ", ",");
    }

    /** {@link #key} after the benchmark's class, e.g. {@code PipeBenchmark.emulated[era=LATEST]}. */
    static String qualifiedKey(BenchmarkParams p) {
        String name = p.getBenchmark();
        String owner = name.substring(0, name.lastIndexOf('.'));
        return owner.substring(owner.lastIndexOf('.') + 1) + "." + key(p);
    }

    private Double score(String key) {
        return scores.get(key);
    }

    private void computeRows() {
        String mmcore = "order0[machine=mmcore]";
        String netty = "nettyPooled4k[]";
        String unaccounted = "order0[machine=unaccounted]";
        ratio("1", "order-0 pair, mm-core alone / Netty pooled 4 KiB direct buffer", mmcore, netty, 3.0);
        ratio("2", "memcg bound with `nokmem` / mm-core alone", "order0[machine=nokmem]", mmcore, 0.98);
        ratio("2", "(info) memcg, kmem online, GFP_KERNEL (hooks run, nothing charged) / mm-core alone",
                unaccounted, mmcore, 0);
        String[][] designs = {
            {"pageType", "kmem.PageType + pagetype.Bits50, 5.10 config"},
            {"memcgDataFlag", "kmem.MemcgDataFlag + pagetype.Bits511, 5.11 config"},
            {"objcg", "kmem.Objcg + pagetype.TopByte613, latest config"},
        };
        for (String[] d : designs) {
            String k = "order0[machine=" + d[0] + "]";
            ratio("3", "GFP_KERNEL_ACCOUNT to /bench/a/b, " + d[1] + " / (1)", k, mmcore, ACCOUNTED_SHARE);
            ratio("3", "GFP_KERNEL_ACCOUNT to /bench/a/b, " + d[1] + " / Netty", k, netty, 2.0);
        }
        floorRow("latest", mmcore, unaccounted, "order0[machine=objcg]", new String[][] {
            {"currentObjcg[]", "1"}, {"getMemCgroupFromObjcg[]", "2"}, {"stockChargeUncharge[]", "1"},
            {"objcgGetPut[]", "1"}, {"memcgDataDecode[]", "1"},
        }, "accountingAlone[]");
        floorRow("5.11", mmcore, unaccounted, "order0[machine=memcgDataFlag]", new String[][] {
            {"getMemCgroupFromCurrent[]", "1"}, {"stockChargeUncharge[]", "1"}, {"memcgDecode[]", "1"},
        }, null);
        String pageTypeStock = "order0[machine=pageTypeStock]";
        ratio("3", "(info) kmem.PageType + pagetype.Bits50 with 5.11's uncharge into the stock / (1)",
                pageTypeStock, mmcore, 0);
        ratio("5", "(info) the same, 2 threads / 1 thread", "order0Threads2[machine=pageTypeStock]",
                pageTypeStock, 0);
        ratio("4", "kmem charge+uncharge of 1 page: with stock / stock bypassed",
                "kmemChargeUncharge[stock=true]", "kmemChargeUncharge[stock=false]", 0);
        ratio("4", "try_charge+uncharge of 1 page: with stock / stock bypassed",
                "chargeUncharge[stock=true]", "chargeUncharge[stock=false]", 0);
        ratio("5", "mm-core alone: 2 threads / 1 thread", "order0Threads2[machine=mmcore]", mmcore, 1.6);
        for (String[] d : designs) {
            ratio("5", d[0] + ": 2 threads / 1 thread", "order0Threads2[machine=" + d[0] + "]",
                    "order0[machine=" + d[0] + "]", 1.6);
        }
        row("6", "heap bytes per emulated page (JOL, mem_map of " + Quick.FOOTPRINT_SIZE + ")",
                String.format(Locale.ROOT, "%.2f B", footprintBytesPerPage), "≤ 64 B",
                footprintBytesPerPage <= 64 ? "yes" : "no");
        for (String size : new String[] {"1G", "16G", "64G"}) {
            Double ms = score("boot[memory=" + size + "]");
            boolean big = size.equals("64G");
            row("6", "boot time, " + size + (big ? " in a 4 GiB heap" : ""),
                    ms == null ? "no result (not run, or failed: see the log)"
                            : String.format(Locale.ROOT, "%.0f ms", ms),
                    big ? "boots" : "—", big && ms != null ? "yes" : "—");
        }
        // The mm-core fixture builds its machine afresh each time; the ≤ 5 ms goal is the
        // facade's, whose boots reuse a closed machine's injector (facadeBootRows).
        for (String size : new String[] {"64M", "1G"}) {
            Double ms = score("bootAndCheck[memory=" + size + "]");
            row("6", "(info) boot + after-test checks, mm-core fixture unpooled, " + size,
                    ms == null ? "no result (not run, or failed: see the log)"
                            : String.format(Locale.ROOT, "%.1f ms", ms),
                    "—", "—");
        }
        allocationRow();
        facadeBootRows();
        selftestRows();
        escapeMatrixRow();
        ratio("4", "slab: kmalloc(64, GFP_KERNEL_ACCOUNT) + kfree, latest era / unaccounted pair",
                "kmalloc64Accounted[]", "kmalloc64[]", ACCOUNTED_SHARE);
        ratio("4", "(info) the same, against GFP_KERNEL on the same machine (memcg's hooks on, the"
                + " kernel's comparison: 0.39×)", "kmalloc64Accounted[]", "kmalloc64HooksOn[]", 0);
        slabFloorRow("kmalloc64[]", "kmalloc64HooksOn[]", "kmalloc64Accounted[]");
        ratio("4", "slab: kmalloc(64) + kfree, unaccounted / Netty pooled 64 B", "kmalloc64[]", "nettyPooled64[]", 2.0);
        roundTripRows("PipeBenchmark", "pipe 64 KiB write + read");
        roundTripRows("UnixSocketBenchmark", "AF_UNIX socketpair round trip");
        String generic = "pteAllocFree[tables=generic]";
        for (String layout : new String[] {"Mapcount48", "Refcount418", "WholePage68"}) {
            ratio("7", "PTE table alloc/free pair, s390layout." + layout + " / generic one-page tables",
                    "pteAllocFree[tables=s390layout." + layout + "]", generic, 0);
        }
    }

    /**
     * Target 1: the facade's boot + close with every module, median of the single shots (on a
     * recycled injector, as every boot of a configuration but its first); the first one's beside it.
     */
    private void facadeBootRows() {
        for (String size : new String[] {"64M", "1G"}) {
            Double ms = score("KernelBootBenchmark.bootAndClose[memory=" + size + "]:p50");
            boolean judged = size.equals("1G");
            row("1", "facade Kernel.boot(LATEST) + close() with its checks, " + size + ", median",
                    ms == null ? "not run" : String.format(Locale.ROOT, "%.1f ms", ms),
                    judged ? String.format(Locale.ROOT, "≤ %.0f ms", BOOT_AND_CLOSE_MS) : "—",
                    judged && ms != null ? (ms <= BOOT_AND_CLOSE_MS ? "yes" : "no") : "—");
        }
        Double first = score("KernelBootBenchmark.firstBootAndClose[memory=1G]:p50");
        row("1", "(info) the same, first boot of a configuration (builds its injector), 1G, median",
                first == null ? "not run" : String.format(Locale.ROOT, "%.1f ms", first), "—", "—");
    }

    /** Target 2: the selftest-sized test per era, its time and the shares of boot and close(). */
    private void selftestRows() {
        for (Era era : Era.values()) {
            String k = "SelftestBenchmark.memcgHigh[era=" + era.name() + "]";
            Double ms = score(k);
            Double boot = score(k + ":bootNanos");
            Double test = score(k + ":testNanos");
            Double close = score(k + ":closeNanos");
            String what = "selftest-sized test (test_memcg_high, " + SelftestBenchmark.MEMORY + "), " + era.version()
                    + ": time per test; shares of boot and of close()'s checks";
            if (ms == null || boot == null || test == null || close == null) {
                row("2", what, "not run", "—", "—");
                continue;
            }
            double sum = boot + test + close;
            row("2", what, String.format(Locale.ROOT, "%.2f ms; boot %.0f%%, close() %.0f%%", ms,
                    100 * boot / sum, 100 * close / sum), "—", "—");
        }
    }

    /** Target 3: the escape matrix, all eras and paths, median of its single shots. */
    private void escapeMatrixRow() {
        Double s = score("EscapeMatrixBenchmark.allErasAllPaths[]:p50");
        row("3", "escape matrix, every path under every era, 8M limit: wall time, median",
                s == null ? "not run" : String.format(Locale.ROOT, "%.1f s", s),
                String.format(Locale.ROOT, "< %.0f s", ESCAPE_MATRIX_S),
                s == null ? "—" : s < ESCAPE_MATRIX_S ? "yes" : "no");
    }

    /** Each era's emulated round trip of {@code benchmark} against the host's, target ≥ 1×. */
    private void roundTripRows(String benchmark, String what) {
        String emulated = benchmark + ".emulated[era=";
        String host = benchmark + ".host[]";
        boolean any = false;
        for (String k : new TreeMap<>(scores).keySet()) {
            if (k.startsWith(emulated) && k.endsWith("]")) {
                String era = k.substring(emulated.length(), k.length() - 1);
                ratio("4", what + ", emulated " + era + " / host", k, host, 1.0, "ops/ms");
                any = true;
            }
        }
        if (!any) {
            row("4", what + ", emulated / host", "not run", "≥ 1.00×", "—");
        }
    }

    /** The table. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| # | measurement | measured | target | met? |\n");
        sb.append("|---|---|---|---|---|\n");
        for (String r : rows) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }

    /** A ratio row of two throughputs in ops/µs; {@code target} 0 means informational (no target). */
    private void ratio(String item, String what, String numerator, String denominator, double target) {
        ratio(item, what, numerator, denominator, target, "ops/µs");
    }

    /** A ratio row of two scores in {@code unit}. */
    private void ratio(String item, String what, String numerator, String denominator, double target, String unit) {
        Double a = score(numerator);
        Double b = score(denominator);
        String goal = target == 0 ? "—" : String.format(Locale.ROOT, "≥ %.2f×", target);
        if (a == null || b == null) {
            row(item, what, "not run", goal, "—");
            return;
        }
        double r = a / b;
        row(item, what, String.format(Locale.ROOT, "%.3f× (%.2f / %.2f %s)", r, a, b, unit), goal,
                target == 0 ? "—" : r >= target ? "yes" : "no");
    }

    /**
     * Target 3's floor for a design: the kernel steps of its accounting, each measured alone
     * ({@link KmemStepsBenchmark}, JMH's own cost per operation subtracted) and counted as often
     * as one pair takes them ({@code {key, times}}), plus the hook dispatch, against the
     * nanoseconds that {@link #ACCOUNTED_SHARE} of the mm-core pair leaves for accounting.
     *
     * @param alone the score of the design's whole charge + uncharge without the allocator, or
     *              null where it is not measured
     */
    private void floorRow(String design, String mmcore, String unaccounted, String accounted, String[][] steps,
                          String alone) {
        String what = "(info) " + design + " design, accounting per pair: its kernel steps measured alone"
                + " (KmemStepsBenchmark) + hook dispatch, against what " + ACCOUNTED_SHARE + "× of (1) leaves";
        Double pair = score(mmcore);
        Double hooked = score(unaccounted);
        Double charged = score(accounted);
        Double aloneScore = alone == null ? null : score(alone);
        Double stepsNs = stepsNanos(steps);
        if (pair == null || hooked == null || charged == null || stepsNs == null || (alone != null && aloneScore == null)) {
            row("3", what, "not run", "—", "—");
            return;
        }
        double hooksNs = nanos(hooked) - nanos(pair);
        String policy = aloneScore == null ? "" : String.format(Locale.ROOT, "the policy alone: %.1f ns; ", net(aloneScore));
        row("3", what, String.format(Locale.ROOT, "%.1f ns steps + %.1f ns hooks = %.1f ns (%sin the pair: %.1f ns)",
                stepsNs, hooksNs, stepsNs + hooksNs, policy, nanos(charged) - nanos(pair)), budget(pair), "—");
    }

    /**
     * The accounted kmalloc pair's floor: the kernel steps of the latest design's slab hooks,
     * each measured alone ({@link KmallocStepsBenchmark}, and {@link KmemStepsBenchmark} for the
     * two it shares with the page pair) and counted as often as one pair takes them, against the
     * nanoseconds that {@link #ACCOUNTED_SHARE} of the unaccounted pair leaves for accounting.
     * Beside them, the hooks alone, and how much of the accounted pair's extra time the
     * accounting machine costs a {@code GFP_KERNEL} pair, which runs no hook.
     */
    private void slabFloorRow(String unaccounted, String hooksOn, String accounted) {
        String what = "(info) slab: kmalloc pair, latest design, accounting per pair: its kernel steps measured"
                + " alone (KmallocStepsBenchmark, KmemStepsBenchmark), against what " + ACCOUNTED_SHARE
                + "× of the unaccounted pair leaves";
        Double pair = score(unaccounted);
        Double machine = score(hooksOn);
        Double charged = score(accounted);
        Double alone = score("hooksAlone[]");
        Double stepsNs = stepsNanos(new String[][] {
            {"currentObjcg[]", "1"}, {"objcgGetPut[]", "1"}, {"objStockChargeUncharge[]", "1"},
            {"vectorDecode[]", "2"}, {"objToIndex[]", "2"},
        });
        if (pair == null || machine == null || charged == null || alone == null || stepsNs == null) {
            row("4", what, "not run", "—", "—");
            return;
        }
        row("4", what, String.format(Locale.ROOT,
                "%.1f ns steps (the hooks alone: %.1f ns; in the pair: %.1f ns, of which %.1f ns the accounting"
                        + " machine's GFP_KERNEL pair)",
                stepsNs, net(alone), nanos(charged) - nanos(pair), nanos(machine) - nanos(pair)), budget(pair), "—");
    }

    /**
     * The steps' nanoseconds per pair, each net of JMH's own cost per operation
     * ({@code baseline[]}) and counted as often as a pair takes it ({@code {key, times}});
     * null when one of them, or the baseline, was not run.
     */
    private Double stepsNanos(String[][] steps) {
        if (score("baseline[]") == null) {
            return null;
        }
        double ns = 0;
        for (String[] step : steps) {
            Double score = score(step[0]);
            if (score == null) {
                return null;
            }
            ns += Integer.parseInt(step[1]) * net(score);
        }
        return ns;
    }

    /** Nanoseconds per operation of a step's throughput, net of JMH's own ({@code baseline[]}). */
    private double net(double opsPerMicro) {
        return nanos(opsPerMicro) - nanos(score("baseline[]"));
    }

    /** What {@link #ACCOUNTED_SHARE} of a pair at {@code pair} ops/µs leaves for accounting. */
    private static String budget(double pair) {
        return String.format(Locale.ROOT, "%.1f ns", nanos(ACCOUNTED_SHARE * pair) - nanos(pair));
    }

    /** Nanoseconds per operation of a throughput in ops/µs. */
    private static double nanos(double opsPerMicro) {
        return 1000 / opsPerMicro;
    }

    /** The largest gc.alloc.rate.norm over the mm-core and memcg benchmarks (not Netty, not boot). */
    private void allocationRow() {
        double worst = -1;
        String where = "";
        for (Map.Entry<String, Double> e : new TreeMap<>(allocNorms).entrySet()) {
            String k = e.getKey();
            if (!allocatesByDesign(k) && e.getValue() > worst) {
                worst = e.getValue();
                where = k;
            }
        }
        if (worst < 0) {
            row("-", "allocation per op (gc.alloc.rate.norm)", "not measured (run with -prof gc)", "≈ 0 B/op", "—");
        } else {
            row("-", "allocation per op, worst of the mm-core and memcg pairs (gc.alloc.rate.norm)",
                    String.format(Locale.ROOT, "%.4f B/op (%s)", worst, where), "≈ 0 B/op",
                    worst < NO_ALLOCATION_BYTES ? "yes" : "no");
        }
    }

    /**
     * The benchmarks that are not hot paths: Netty (the peer); boots, which build the mem_map
     * and, on a configuration's first boot, its injector; page tables, with each table's emulated
     * entries; and the facade's round trips, BPF calls, the selftest-sized test and the escape
     * matrix, whole syscalls or machines that allocate their buffers and machines.
     */
    private static boolean allocatesByDesign(String key) {
        for (String method : new String[] {"nettyPooled", "boot", "firstBoot", "pteAllocFree",
                "emulated[", "host[", "foreignUpdateDelete[", "mappedLookup[", "memcgHigh[", "allErasAllPaths["}) {
            if (key.startsWith(method)) {
                return true;
            }
        }
        return false;
    }

    private void row(String item, String what, String measured, String target, String met) {
        rows.add("| " + item + " | " + what + " | " + measured + " | " + target + " | " + met + " |");
    }
}
