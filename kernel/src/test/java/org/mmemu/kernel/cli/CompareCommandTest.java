package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.trace.Workloads;

/** {@code mmemu compare}: each built-in workload under every era, side by side, and its plot. */
class CompareCommandTest {
    static final List<String> WORKLOADS = Workloads.NAMES;

    @TempDir
    Path dir;

    /** The table's cells of the row starting {@code name}, one per era. */
    private static List<String> row(CliRun r, String name) {
        String line = r.out().lines().filter(l -> l.startsWith(name + "  ")).findFirst().orElseThrow(
                () -> new AssertionError("no row " + name + " in\n" + r.out()));
        List<String> cells = Arrays.asList(line.substring(name.length()).trim().split(" +"));
        return cells;
    }

    @ParameterizedTest
    @FieldSource("WORKLOADS")
    void eachBuiltInWorkloadRunsCleanUnderEveryEraOneColumnEach(String workload) {
        CliRun r = CliRun.of("compare", "--workload", workload, "--memory", "64M");

        assertThat(r.err()).isEmpty();
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("# " + workload + ".trace, ");
        String head = r.out().lines().skip(1).findFirst().orElseThrow();
        assertThat(head.trim().split(" +")).containsExactly(Arrays.stream(Era.values()).map(Era::version).toArray(String[]::new));
        for (String total : List.of("leaks", "bad pages")) {
            assertThat(row(r, total)).hasSize(Era.values().length).containsOnly("0");
        }
    }

    @Test
    void pipePagesAreChargedToTheWriterFrom48Only() {
        CliRun r = CliRun.of("compare", "--workload", "pipe-storm", "--eras", "4.7,4.8,latest", "--memory", "64M");

        List<String> current = row(r, "/storm memory.current");
        assertThat(current.get(0)).as("4.7: pipe buffers escape").isEqualTo("0");
        assertThat(Long.parseLong(current.get(1))).as("4.8").isPositive();
        assertThat(Long.parseLong(current.get(2))).as("latest").isPositive();
        assertThat(row(r, "/storm memory.events oom").subList(1, 3)).as("the writer hit memory.max").doesNotContain("0");
    }

    @Test
    void socketBuffersAreChargedToTheSenderFrom48Only() {
        CliRun r = CliRun.of("compare", "--workload", "socket-storm", "--eras", "4.7,4.8,5.11", "--memory", "64M");

        List<String> slab = row(r, "/sender memory.stat slab_unreclaimable");
        assertThat(slab.get(0)).as("4.7: AF_UNIX buffers escape").isEqualTo("0");
        assertThat(Long.parseLong(slab.get(1))).as("4.8").isPositive();
        assertThat(Long.parseLong(slab.get(2))).as("5.11").isPositive();
        assertThat(row(r, "errnos")).as("no send found its buffer full").containsOnly("0");
    }

    @Test
    void foreignHashElementsAreChargedToTheMapsCgroupFrom511AndNotToTheForeignOne() {
        CliRun r = CliRun.of("compare", "--workload", "foreign-bpf", "--eras", "5.10,5.11,latest", "--memory", "64M");

        List<String> owner = row(r, "/owner memory.stat slab");
        assertThat(owner.get(0)).as("5.10: the map's memory is memlock's, not a cgroup's").isEqualTo("0");
        assertThat(Long.parseLong(owner.get(1))).as("5.11: map->memcg").isPositive();
        assertThat(row(r, "/owner memory.stat vmalloc")).as("the large array, where the era prints it")
                .satisfies(v -> assertThat(v.get(0)).isEqualTo("-"), v -> assertThat(Long.parseLong(v.get(2))).isPositive());
        assertThat(row(r, "/foreign memory.stat percpu")).as("f's per-CPU array, charged to f's cgroup from 5.11")
                .satisfies(v -> assertThat(v.get(0)).isEqualTo("0"), v -> assertThat(Long.parseLong(v.get(1))).isPositive());
        assertThat(row(r, "errnos")).as("mmapable arrays, freeze: every call works from 5.5").containsOnly("0");
    }

    @Test
    void theMmapableArrayCallsFailWhereTheEraHasNoneAndNothingLeaks() {
        CliRun r = CliRun.of("compare", "--workload", "foreign-bpf", "--eras", "4.8,4.18", "--memory", "64M");

        assertThat(r.status()).isZero();
        assertThat(row(r, "errnos")).doesNotContain("0");
        assertThat(row(r, "leaks")).containsOnly("0");
    }

    @Test
    void aRowAnEraDoesNotHaveIsADash() {
        CliRun r = CliRun.of("compare", "--workload", "slab-churn", "--eras", "4.8,latest", "--memory", "64M");

        assertThat(row(r, "/churn memory.stat kernel")).containsExactly("-", row(r, "/churn memory.current").get(1));
    }

    @Test
    void thePlotIsAPngWithAChartPerCgroup() throws IOException {
        Path png = dir.resolve("dying.png");
        CliRun r = CliRun.of("compare", "--workload", "dying-cgroups", "--eras", "4.18,5.11", "--memory", "64M",
                "--plot", png.toString());

        assertThat(r.status()).isZero();
        assertThat(r.out()).endsWith("# plot: " + png + "\n");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG").isNotNull();
        long cgroups = r.out().lines().filter(l -> l.matches("/\\S+ (state|memory\\.current) .*"))
                .map(l -> l.split(" ")[0]).distinct().count();
        assertThat(image.getHeight()).as("one chart per cgroup, one above the other")
                .isEqualTo(image.getWidth() * 400 / 640 * (int) cgroups);
    }

    @Test
    void aTraceFileIsAWorkloadToo() throws IOException {
        Path t = dir.resolve("mine.trace");
        Files.writeString(t, "mkdir /x\nspawn t /x\nkmalloc t o 20K account\n");

        CliRun r = CliRun.of("compare", "--workload", t.toString(), "--eras", "4.7,5.11", "--memory", "64M");

        assertThat(r.status()).as("the object leaks").isEqualTo(1);
        assertThat(row(r, "leaks")).doesNotContain("0");
        assertThat(r.out()).contains("4.7: kmemleak: unreferenced object 0x", "5.11: kmemleak: unreferenced object 0x");
    }

    @Test
    void theHelpListsExactlyTheBuiltInWorkloads() {
        CliRun r = CliRun.of("compare", "--help");

        List<String> listed = r.out().lines().dropWhile(l -> !l.equals("Built-in workloads:")).skip(1)
                .takeWhile(l -> l.startsWith("  ")).map(l -> l.trim().split(" ")[0]).toList();
        assertThat(listed).isEqualTo(Workloads.NAMES);
    }
}
