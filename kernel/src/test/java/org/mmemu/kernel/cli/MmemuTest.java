package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.alloc.Zone;
import org.mmemu.core.page.MemMapHeap;
import picocli.CommandLine;

class MmemuTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Mmemu.commandLine();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute(args)).isZero();
        return out.toString();
    }

    /** Runs a command line that must fail on its arguments; returns what it printed on stderr. */
    private static String refused(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Mmemu.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(args)).as("exit code of %s", List.of(args)).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).as("one line: %s", err).hasSize(1);
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        return err.toString();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gfp zzz                      | 'zzz' is not a number",
        "gfp 0xffffffffff             | '0xffffffffff' does not fit in 32 bits",
        "gfp 4294967296               | does not fit in 32 bits",
        "mapcount --word zzz          | 'zzz' is not a number",
        "mapcount --word 0x100000000  | does not fit in 32 bits",
        "buddyinfo --memory 0         | memory size 0 is below the minimum, 4M",
        "buddyinfo --memory 3M        | memory size 3M is below the minimum, 4M",
        "buddyinfo --memory zzz       | not a size: 'zzz'",
        "buddyinfo --steps -5         | '-5' is not a count from 0 to 2147483647",
        "buddyinfo --steps zzz        | 'zzz' is not a number",
        "buddyinfo --seed zzz         | --seed",
        "buddyinfo --bogus            | Unknown option: '--bogus'",
        "run --era 9.9 --trace x.trace | Invalid value for option '--era': unknown era '9.9'; expected one of 4.7, 4.8",
        "run --trace x.trace          | Missing required option: '--era=ERA'",
        "run --era 4.8                | Missing required option: '--trace=FILE'",
        "run --era 4.8 --trace x --seed z | Invalid value for option '--seed'",
        "run --era 4.8 --trace x --memory 1M | Invalid value for option '--memory'",
        "run --era 4.8 --trace /no/such.trace | no trace file '/no/such.trace'",
        "compare --workload nosuch    | no trace file 'nosuch'",
        "compare                      | Missing required option: '--workload=NAME",
        "compare --workload pipe-storm --eras 4.8,2.6 | Invalid value for option '--eras' (ERA): unknown era '2.6'",
    })
    void aBadArgumentIsOneLineOnStderrAndExitCode2(String args, String message) {
        String err = refused(args.trim().split(" +"));
        assertThat(err).startsWith("mmemu " + args.trim().split(" ")[0] + ": ").contains(message);
    }

    @Test
    void aMachineTheHeapCannotHoldIsRefusedBeforeItIsBuilt() {
        assumeTrue(MemMapHeap.bytesFor(MemoryConfig.of("4T").nrPages()) > Runtime.getRuntime().maxMemory());
        assertThat(refused("buddyinfo", "--memory", "4T")).contains("Runtime.maxMemory()", "-Xmx");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void millionsOfStepsOnASixteenGigabyteMachineTakeSeconds() {
        // The run took six minutes on 4G while freeing shifted the list of held blocks.
        StringWriter err = new StringWriter();
        CommandLine cl = Mmemu.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("buddyinfo", "--memory", "16G", "--steps", "3000000")).isZero();
        assertThat(out.toString()).startsWith("Node 0, zone   Normal");
    }

    @Test
    void mapcountTableShowsKmemcgOnlyInTheEncodingsThatHadIt() {
        String table = run("mapcount");
        assertThat(table).containsPattern("pagetype\\.Value48 +-128 +-256 +- +-512");
        assertThat(table).containsPattern("pagetype\\.Bits418 +0x80 +0x100 +- +0x200 +0x400");
        assertThat(table).containsPattern("pagetype\\.Bits511 +0x80 +- +0x100 +- +0x200");
    }

    @Test
    void decodingAMappedKmemcgWordShowsTheBuddyCorruptionOf418() {
        String out = run("mapcount", "--word", "0xfffffe00");
        assertThat(out).contains("page_mapcount -511");
        assertThat(out).containsPattern("pagetype\\.Bits418 +types=buddy,balloon\n");
        // The same 32 bits are -512: PageKmemcg itself in the 4.8 value encoding.
        assertThat(out).containsPattern("pagetype\\.Value48 +types=kmemcg\n");
        assertThat(out).containsPattern("pagetype\\.TopByte613 +types=none +page_has_type=false");
    }

    @Test
    void pageHasTypeIsShownOnlyForTheKernelsThatHaveIt() {
        String out = run("mapcount", "--word", "0xfffffdff");
        assertThat(out).containsPattern("pagetype\\.Bits418 +types=kmemcg\n");
        assertThat(out).containsPattern("pagetype\\.Bits50 +types=kmemcg +page_has_type=true");
        assertThat(out.lines().filter(l -> l.startsWith("pagetype.Value4") || l.startsWith("pagetype.Bits418")))
                .hasSize(3).noneMatch(l -> l.contains("page_has_type"));
    }

    @Test
    void gfpShowsTheValueOfEachEra() {
        String out = run("gfp", "0x400cc0");
        assertThat(out).startsWith("GFP_KERNEL_ACCOUNT");
        assertThat(out).contains("V4_8  0x25000c0(GFP_KERNEL_ACCOUNT)");
        assertThat(out).contains("V4_18 0x7000c0(GFP_KERNEL_ACCOUNT)");
        assertThat(out).contains("V5_11 0x400cc0(GFP_KERNEL_ACCOUNT)");
    }

    @Test
    void gfpSaysWhichBitsAnEraDidNotHave() {
        String out = run("gfp", "0x800100");
        assertThat(out).contains("V4_8  0x8000(__GFP_ZERO)  (0x800000: no such flags then)");
        assertThat(out).contains("V5_11 0x800100(__GFP_ZERO|0x800000)\n");
    }

    @Test
    void buddyinfoOfAFreshMachineHasOnlyMaxOrderBlocks() {
        String out = run("buddyinfo", "--memory", "64M");
        assertThat(out.trim()).isEqualTo("Node 0, zone   Normal"
                + "      0      0      0      0      0      0      0      0      0      0     16");
    }

    @Test
    void aFragmentingWorkloadLeavesLowerOrdersPopulated() {
        String out = run("buddyinfo", "--memory", "64M", "--steps", "2000", "--seed", "7");
        String[] counts = out.trim().split(" +");
        // "Node 0, zone Normal" then 11 counts; some order below 10 must hold free blocks now.
        assertThat(counts).hasSize(4 + Zone.MAX_ORDER);
        long lowOrderBlocks = 0;
        for (int i = 4; i < 4 + Zone.MAX_ORDER - 1; i++) {
            lowOrderBlocks += Long.parseLong(counts[i]);
        }
        assertThat(lowOrderBlocks).isPositive();
    }
}
