package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The targets table divides the right scores and judges them against the targets. */
class TargetsTest {
    private final Map<String, Double> scores = new HashMap<>();
    private final Map<String, Double> norms = new HashMap<>();

    private String table(double footprint) {
        return new Targets(scores, norms, footprint).markdown();
    }

    private static String rowOf(String table, String what) {
        return table.lines().filter(l -> l.contains(what)).findFirst().orElseThrow();
    }

    @Test
    void ratiosAreJudgedAgainstTheirTargets() {
        scores.put("order0[machine=mmcore]", 40.0);
        scores.put("nettyPooled4k[]", 10.0);
        scores.put("order0[machine=nokmem]", 39.0);
        scores.put("order0[machine=objcg]", 24.0);
        scores.put("order0Threads2[machine=objcg]", 40.0);
        String t = table(60);

        assertThat(rowOf(t, "mm-core alone / Netty")).contains("4.000× (40.00 / 10.00 ops/µs)", "≥ 3.00×", "| yes |");
        assertThat(rowOf(t, "`nokmem` / mm-core alone")).contains("0.975×", "≥ 0.98×", "| no |");
        assertThat(rowOf(t, "kmem.Objcg + pagetype.TopByte613, latest config / (1)")).contains("0.600×", "| yes |");
        assertThat(rowOf(t, "kmem.Objcg + pagetype.TopByte613, latest config / Netty")).contains("2.400×", "| yes |");
        assertThat(rowOf(t, "objcg: 2 threads / 1 thread")).contains("1.667× (40.00 / 24.00 ops/µs)", "| yes |");
        assertThat(rowOf(t, "kmem.PageType")).contains("not run", "| — |");
        assertThat(rowOf(t, "heap bytes per emulated page")).contains("60.00 B", "| yes |");
        assertThat(rowOf(t, "s390layout.Mapcount48")).contains("not run");
    }

    /**
     * The page pairs a floor row needs, mm-core's at 40 ops/µs (25 ns) and the hooks' at 27.5 ns,
     * the accounted pair of {@code machine} at {@code accounted} ops/µs, and JMH's 1 ns baseline.
     */
    private void pagePairsWithBaseline(String machine, double accounted) {
        scores.put("order0[machine=mmcore]", 40.0);
        scores.put("order0[machine=unaccounted]", 1000 / 27.5);
        scores.put("order0[machine=" + machine + "]", accounted);
        scores.put("baseline[]", 1000.0);
    }

    @Test
    void theFloorRowAddsTheStepsAsOftenAsAPairTakesThem() {
        String what = "latest design, accounting per pair";
        assertThat(rowOf(table(60), what)).contains("not run");

        pagePairsWithBaseline("objcg", 20.0);
        scores.put("accountingAlone[]", 50.0);
        scores.put("currentObjcg[]", 500.0);
        scores.put("getMemCgroupFromObjcg[]", 250.0);
        scores.put("stockChargeUncharge[]", 125.0);
        scores.put("objcgGetPut[]", 500.0);
        assertThat(rowOf(table(60), what)).as("a step not run").contains("not run");

        scores.put("memcgDataDecode[]", 500.0);
        // Steps, net of the 1 ns baseline: 1 + 2 x 3 + 7 + 1 + 1 = 16 ns; hooks 27.5 - 25 ns;
        // 0.5x of 40 ops/µs is 50 ns per pair, 25 ns above the pair's 25.
        assertThat(rowOf(table(60), what)).contains(
                "16.0 ns steps + 2.5 ns hooks = 18.5 ns (the policy alone: 19.0 ns; in the pair: 25.0 ns)",
                "| 25.0 ns |");
    }

    @Test
    void the511FloorRowTakesItsOwnStepsAndHasNoPolicyAlone() {
        String what = "5.11 design, accounting per pair";
        pagePairsWithBaseline("memcgDataFlag", 25.0);
        scores.put("getMemCgroupFromCurrent[]", 250.0);
        scores.put("stockChargeUncharge[]", 125.0);
        assertThat(rowOf(table(60), what)).as("a step not run").contains("not run");

        scores.put("memcgDecode[]", 500.0);
        // Steps, net of the 1 ns baseline: 3 + 7 + 1 = 11 ns; hooks 27.5 - 25 ns; the pair
        // 40 - 25 ns; 0.5x of 40 ops/µs leaves 25 ns.
        assertThat(rowOf(table(60), what)).contains("11.0 ns steps + 2.5 ns hooks = 13.5 ns (in the pair: 15.0 ns)",
                "| 25.0 ns |");
    }

    @Test
    void theSlabFloorRowAddsItsOwnStepsAndThoseItSharesWithThePagePair() {
        String what = "kmalloc pair, latest design, accounting per pair";
        scores.put("kmalloc64[]", 50.0);
        scores.put("kmalloc64Accounted[]", 25.0);
        scores.put("kmalloc64HooksOn[]", 40.0);
        scores.put("baseline[]", 1000.0);
        scores.put("hooksAlone[]", 100.0);
        scores.put("objStockChargeUncharge[]", 200.0);
        scores.put("vectorDecode[]", 500.0);
        scores.put("objToIndex[]", 1000 / 1.5);
        assertThat(rowOf(table(60), what)).as("a shared step not run").contains("not run");

        scores.put("currentObjcg[]", 500.0);
        scores.put("objcgGetPut[]", 1000 / 3.0);
        // Steps, net of the 1 ns baseline: 1 + 2 + 4 + 2 x 1 + 2 x 0.5 = 10 ns; the hooks alone
        // 9 ns; the pair 40 - 20 ns, 25 - 20 ns of it without accounting; 0.5x of 50 ops/µs is
        // 40 ns per pair, 20 ns above the pair's 20.
        assertThat(rowOf(table(60), what)).contains("10.0 ns steps (the hooks alone: 9.0 ns; in the pair: 20.0 ns,"
                + " of which 5.0 ns the accounting machine's GFP_KERNEL pair)", "| 20.0 ns |");
    }

    @Test
    void theS390RowsCompareEachLayoutWithTheGenericTables() {
        scores.put("pteAllocFree[tables=generic]", 10.0);
        scores.put("pteAllocFree[tables=s390layout.Refcount418]", 30.0);
        String t = table(60);

        assertThat(rowOf(t, "s390layout.Refcount418")).contains("3.000× (30.00 / 10.00 ops/µs)", "| — |");
        assertThat(rowOf(t, "s390layout.WholePage68")).contains("not run");
    }

    @Test
    void theFootprintAndBootRowsFollowTheirMeasurements() {
        scores.put("boot[memory=64G]", 912.0);
        String t = table(64.5);

        assertThat(rowOf(t, "heap bytes per emulated page")).contains("64.50 B", "| no |");
        assertThat(rowOf(t, "boot time, 64G in a 4 GiB heap")).contains("912 ms", "| yes |");
        assertThat(rowOf(t, "boot time, 1G")).contains("no result");
    }

    @Test
    void theUnpooledFixtureBootIsInformationOnly() {
        scores.put("bootAndCheck[memory=1G]", 7.0);
        scores.put("bootAndCheck[memory=64M]", 2.5);
        String t = table(60);

        assertThat(rowOf(t, "mm-core fixture unpooled, 1G")).contains("7.0 ms", "| — | — |").doesNotContain("≤ 5 ms");
        assertThat(rowOf(t, "mm-core fixture unpooled, 64M")).contains("2.5 ms", "| — | — |");
    }

    @Test
    void allocationIsJudgedOnTheEmulatorsBenchmarksOnly() {
        norms.put("nettyPooled4k[]", 6.5);
        norms.put("boot[memory=1G]", 1.7e7);
        norms.put("firstBootAndClose[memory=1G]", 5.6e6);
        norms.put("pteAllocFree[tables=generic]", 4144.0);
        norms.put("order0[machine=objcg]", 0.001);
        assertThat(rowOf(table(60), "allocation per op")).contains("0.0010 B/op (order0[machine=objcg])", "| yes |");

        norms.put("kmemChargeUncharge[stock=false]", 16.0);
        assertThat(rowOf(table(60), "allocation per op")).contains("16.0000 B/op (kmemChargeUncharge[stock=false])",
                "| no |");
    }

    @Test
    void facadeBootAndCloseIsJudgedOnItsMedianAt1GiB() {
        assertThat(rowOf(table(60), "close() with its checks, 1G")).contains("not run");

        scores.put("KernelBootBenchmark.bootAndClose[memory=1G]", 9.0);
        scores.put("KernelBootBenchmark.bootAndClose[memory=1G]:p50", 4.5);
        scores.put("KernelBootBenchmark.bootAndClose[memory=64M]:p50", 1.5);
        String t = table(60);

        assertThat(rowOf(t, "close() with its checks, 1G")).contains("4.5 ms", "≤ 5 ms", "| yes |");
        assertThat(rowOf(t, "close() with its checks, 64M")).contains("1.5 ms", "| — |");

        scores.put("KernelBootBenchmark.bootAndClose[memory=1G]:p50", 6.0);
        assertThat(rowOf(table(60), "close() with its checks, 1G")).contains("6.0 ms", "| no |");
    }

    @Test
    void theFirstBootOfAConfigurationIsShownBesideTheTarget() {
        assertThat(rowOf(table(60), "first boot of a configuration")).contains("not run");

        scores.put("KernelBootBenchmark.firstBootAndClose[memory=1G]:p50", 21.5);

        assertThat(rowOf(table(60), "first boot of a configuration")).contains("(info)", "21.5 ms", "| — | — |");
    }

    @Test
    void theSelftestRowsShareTheTestsTimeOutAmongBootOperationsAndClose() {
        String k = "SelftestBenchmark.memcgHigh[era=V5_10]";
        scores.put(k, 12.5);
        scores.put(k + ":bootNanos", 600.0);
        scores.put(k + ":testNanos", 300.0);
        scores.put(k + ":closeNanos", 100.0);
        String t = table(60);

        assertThat(rowOf(t, "test_memcg_high, 64M), 5.10")).contains("12.50 ms; boot 60%, close() 10%");
        assertThat(rowOf(t, "test_memcg_high, 64M), 4.7")).contains("not run");
    }

    @Test
    void theEscapeMatrixIsJudgedOnItsMedianAgainst20Seconds() {
        assertThat(rowOf(table(60), "escape matrix")).contains("not run", "< 20 s");

        scores.put("EscapeMatrixBenchmark.allErasAllPaths[]:p50", 14.6);
        assertThat(rowOf(table(60), "escape matrix")).contains("14.6 s", "| yes |");

        scores.put("EscapeMatrixBenchmark.allErasAllPaths[]:p50", 20.0);
        assertThat(rowOf(table(60), "escape matrix")).contains("20.0 s", "| no |");
    }

    @Test
    void theSlabPairIsJudgedAgainstItsUnaccountedPairAndNetty() {
        scores.put("kmalloc64Accounted[]", 20.0);
        scores.put("kmalloc64[]", 50.0);
        scores.put("nettyPooled64[]", 10.0);
        String t = table(60);

        assertThat(rowOf(t, "GFP_KERNEL_ACCOUNT) + kfree, latest era / unaccounted pair"))
                .contains("0.400× (20.00 / 50.00 ops/µs)", "≥ 0.50×", "| no |");
        assertThat(rowOf(t, "kmalloc(64) + kfree, unaccounted / Netty")).contains("5.000×", "≥ 2.00×", "| yes |");
    }

    @Test
    void eachErasRoundTripIsJudgedAgainstTheHostsOfItsOwnBenchmark() {
        assertThat(rowOf(table(60), "pipe 64 KiB write + read")).contains("not run");

        scores.put("PipeBenchmark.host[]", 10.0);
        scores.put("PipeBenchmark.emulated[era=V4_7]", 12.0);
        scores.put("PipeBenchmark.emulated[era=LATEST]", 9.0);
        scores.put("UnixSocketBenchmark.host[]", 100.0);
        scores.put("UnixSocketBenchmark.emulated[era=LATEST]", 150.0);
        String t = table(60);

        assertThat(rowOf(t, "pipe 64 KiB write + read, emulated V4_7 / host")).contains("1.200×", "| yes |");
        assertThat(rowOf(t, "pipe 64 KiB write + read, emulated LATEST / host")).contains("0.900×", "| no |");
        assertThat(rowOf(t, "socketpair round trip, emulated LATEST / host")).contains("1.500× (150.00 / 100.00 ops/ms)", "| yes |");
    }

    @Test
    void theFacadeScenariosAllocateByDesignAndAreNotJudged() {
        norms.put("order0[machine=objcg]", 0.001);
        norms.put("emulated[era=LATEST]", 512.0);
        norms.put("memcgHigh[era=V4_7]", 1.0e6);
        norms.put("allErasAllPaths[]", 1.0e9);
        norms.put("foreignUpdateDelete[era=V5_11]", 300.0);

        assertThat(rowOf(table(60), "allocation per op")).contains("(order0[machine=objcg])", "| yes |");
    }
}
