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

    @Test
    void theFloorRowAddsTheStepsAsOftenAsAPairTakesThem() {
        String what = "latest design, accounting per pair";
        assertThat(rowOf(table(60), what)).contains("not run");

        scores.put("order0[machine=mmcore]", 40.0);
        scores.put("order0[machine=unaccounted]", 1000 / 27.5);
        scores.put("order0[machine=objcg]", 20.0);
        scores.put("baseline[]", 1000.0);
        scores.put("accountingAlone[]", 50.0);
        scores.put("currentObjcg[]", 500.0);
        scores.put("getMemCgroupFromObjcg[]", 250.0);
        scores.put("stockChargeUncharge[]", 125.0);
        scores.put("objcgGetPut[]", 500.0);
        assertThat(rowOf(table(60), what)).as("a step not run").contains("not run");

        scores.put("memcgDataDecode[]", 500.0);
        // Steps, net of the 1 ns baseline: 1 + 2 x 3 + 7 + 1 + 1 = 16 ns; hooks 27.5 - 25 ns;
        // 0.6x of 40 ops/µs is 41.67 ns per pair, 16.67 ns above the pair's 25.
        assertThat(rowOf(table(60), what)).contains(
                "16.0 ns steps + 2.5 ns hooks = 18.5 ns (the policy alone: 19.0 ns; in the pair: 25.0 ns)",
                "| 16.7 ns |");
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
    void bootAndCheckAt1GiBIsJudgedAgainst5Ms() {
        scores.put("bootAndCheck[memory=1G]", 4.2);
        scores.put("bootAndCheck[memory=64M]", 2.5);
        String t = table(60);

        assertThat(rowOf(t, "boot + after-test checks (mm-core), 1G")).contains("4.2 ms", "≤ 5 ms", "| yes |");
        assertThat(rowOf(t, "boot + after-test checks (mm-core), 64M")).contains("2.5 ms", "| — |");

        scores.put("bootAndCheck[memory=1G]", 7.0);
        assertThat(rowOf(table(60), "boot + after-test checks (mm-core), 1G")).contains("7.0 ms", "| no |");
    }

    @Test
    void allocationIsJudgedOnTheEmulatorsBenchmarksOnly() {
        norms.put("nettyPooled4k[]", 6.5);
        norms.put("boot[memory=1G]", 1.7e7);
        norms.put("pteAllocFree[tables=generic]", 4144.0);
        norms.put("order0[machine=objcg]", 0.001);
        assertThat(rowOf(table(60), "allocation per op")).contains("0.0010 B/op (order0[machine=objcg])", "| yes |");

        norms.put("kmemChargeUncharge[stock=false]", 16.0);
        assertThat(rowOf(table(60), "allocation per op")).contains("16.0000 B/op (kmemChargeUncharge[stock=false])",
                "| no |");
    }
}
