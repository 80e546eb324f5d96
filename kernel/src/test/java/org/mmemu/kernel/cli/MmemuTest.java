package org.mmemu.kernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.Zone;
import picocli.CommandLine;

class MmemuTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Mmemu());
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute(args)).isZero();
        return out.toString();
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
        assertThat(out).containsPattern("pagetype\\.Bits418 +types=buddy,balloon ");
        // The same 32 bits are -512: PageKmemcg itself in the 4.8 value encoding.
        assertThat(out).containsPattern("pagetype\\.Value48 +types=kmemcg +page_has_type=true");
        assertThat(out).containsPattern("pagetype\\.TopByte613 +types=none +page_has_type=false");
    }

    @Test
    void gfpShowsTheValueOfEachEra() {
        String out = run("gfp", "0x400cc0");
        assertThat(out).startsWith("GFP_KERNEL_ACCOUNT");
        assertThat(out).contains("V4_8  0x25000c0(GFP_KERNEL_ACCOUNT)");
        assertThat(out).contains("V5_11 0x400cc0(GFP_KERNEL_ACCOUNT)");
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
