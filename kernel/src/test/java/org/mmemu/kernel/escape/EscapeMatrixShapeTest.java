package org.mmemu.kernel.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.kernel.Era;

/**
 * The escape matrix's expected shape, each path under every era, from one run of the whole
 * matrix at a 2 MiB limit (a 32 MiB budget per cell). Which cells escape is kernel truth, read
 * in the trees (README, "The escape matrix"): pipes, AF_UNIX buffers and x86 page tables escape
 * in 4.7 only, s390 page tables in every era (charged only from 6.18), accounted slab objects a
 * little up to 5.8, accounted vmalloc and kmalloc_large in no era, BPF maps up to 5.10.
 */
class EscapeMatrixShapeTest {
    private static final long LIMIT = 2L << 20;
    private static final Map<String, Map<Era, EscapeCell>> CELLS = new HashMap<>();
    private static EscapeMatrix matrix;

    @BeforeAll
    static void runTheMatrixOnce() {
        matrix = new EscapeMatrix(LIMIT);
        List<EscapeCell> cells = matrix.run(EscapePaths.ALL, Arrays.asList(Era.values()), c -> { });
        for (EscapeCell c : cells) {
            CELLS.computeIfAbsent(c.path(), p -> new EnumMap<>(Era.class)).put(c.era(), c);
        }
    }

    private static EscapeCell cell(String path, Era era) {
        return CELLS.get(path).get(era);
    }

    /** An escape: the limit did not hold, and the kernel allocated the whole budget uncharged. */
    private static void assertEscapes(EscapeCell c) {
        assertThat(c.held()).as("%s", c).isFalse();
        assertThat(c.stop()).as("%s", c).isEqualTo("budget");
        assertThat(c.escapedBytes()).as("%s", c).isGreaterThanOrEqualTo(EscapeMatrix.BUDGET_LIMITS * LIMIT - matrix.tolerance());
        assertThat(c.maxCurrentBytes()).as("%s: memory.current never reached the limit", c).isLessThan(LIMIT);
    }

    /** The limit held: the drive was stopped by the limit (its errno or the OOM killer), not the budget. */
    private static void assertHolds(EscapeCell c) {
        assertThat(c.held()).as("%s", c).isTrue();
        // ENOBUFS: alloc_skb_with_frags' answer to a failed allocation, up to 4.18.
        assertThat(c.stop()).as("%s", c).isIn("ENOMEM", "ENOBUFS", "killed");
        assertThat(c.escapedBytes()).as("%s", c).isLessThanOrEqualTo(matrix.tolerance());
        assertThat(c.maxCurrentBytes()).as("%s: the drive reached the limit", c)
                .isGreaterThanOrEqualTo(LIMIT - matrix.tolerance());
    }

    private static void assertEscapesIn47Only(String path, Era era) {
        if (era == Era.V4_7) {
            assertEscapes(cell(path, era));
        } else {
            assertHolds(cell(path, era));
        }
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void pipeBuffersEscapeIn47Only(Era era) {
        // fs/pipe.c: alloc_page(GFP_HIGHUSER) until "pipe: account to kmemcg" (4.8) added __GFP_ACCOUNT.
        assertEscapesIn47Only("pipe", era);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void unixStreamBuffersEscapeIn47Only(Era era) {
        // net/unix/af_unix.c unix_create1: sk_allocation = GFP_KERNEL_ACCOUNT from 4.8 (3aa9799e1364).
        assertEscapesIn47Only("unix-stream", era);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void unixDatagramBuffersEscapeIn47Only(Era era) {
        assertEscapesIn47Only("unix-dgram", era);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void x86PageTablesEscapeIn47Only(Era era) {
        // arch/x86/mm/pgtable.c: PGALLOC_GFP gained __GFP_ACCOUNT in 4.8 (3e79ec7ddc33).
        assertEscapesIn47Only("x86-pgtables", era);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void s390PageTablesEscapeInEveryEra(Era era) {
        // arch/s390/mm/pgalloc.c allocates with GFP_KERNEL up to 6.13, the latest era's kernel;
        // GFP_KERNEL_ACCOUNT only from 6.18 (5671ce2a1fc6).
        EscapeCell c = cell("s390-pgtables", era);
        assertEscapes(c);
        assertThat(c.chargedBytes()).as("%s", c).isZero();
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void accountedSlabObjectsAreChargedInEveryEraAndUpTo58EscapeALittle(Era era) {
        // 9855609bde03 (5.9): each object charged to its obj_cgroup. Until 5.8 the kernel charged
        // the pages of the cgroup's clone of the cache, created by a work item after its first
        // allocation, which the root cache served uncharged (memcg_kmem_get_cache, 4.8.15).
        EscapeCell c = cell("slab", era);
        assertHolds(c);
        if (era.compareTo(Era.V5_9) < 0) {
            assertThat(c.escapedBytes()).as("%s: the objects served before the clone existed", c)
                    .isGreaterThan(cell("slab", Era.V5_9).escapedBytes());
        }
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void vmallocIsChargedInEveryEra(Era era) {
        // __vmalloc_area_node: alloc_kmem_pages (4.6.2), then alloc_pages_node with the caller's
        // gfp (4.8.15), charged by the allocator since 4949148ad433.
        assertHolds(cell("vmalloc", era));
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void kmallocLargeIsChargedInEveryEra(Era era) {
        // kmalloc_order: alloc_kmem_pages (4.6/4.7), then alloc_pages with the caller's gfp (4.8 on).
        assertHolds(cell("kmalloc-large", era));
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void bpfArraysEscapeUntil511(Era era) {
        // Up to 5.10 maps are paid for by RLIMIT_MEMLOCK (raised by the process) and by no
        // cgroup; from 5.11 by map->memcg (d5299b67dd59, 6d192c7938b7).
        assertEscapesUntil511(cell("bpf-array", era), era);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void mmapableBpfArraysExistFrom55AndEscapeUntil511(Era era) {
        EscapeCell c = cell("bpf-mmapable-array", era);
        if (era.compareTo(Era.V5_9) < 0) {
            assertThat(c.applicable()).as("%s: BPF_F_MMAPABLE came in 5.5", c).isFalse();
            return;
        }
        assertEscapesUntil511(c, era);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void foreignHashElementsEscapeUntil511AreForcedPastTheLimitIn511AndHoldInTheLatest(Era era) {
        EscapeCell c = cell("bpf-hash-foreign", era);
        if (era.compareTo(Era.V5_11) < 0) {
            assertEscapes(c);
        } else if (era == Era.V5_11) {
            // 5.11 charges each element to the owner, but with GFP_ATOMIC, which try_charge forces
            // past memory.max (869712fd3de5): nothing escapes and nothing stops the adder.
            assertThat(c.verdict()).as("%s", c).isEqualTo("OVER");
            assertThat(c.escapedBytes()).as("%s", c).isLessThanOrEqualTo(matrix.tolerance());
            assertThat(c.maxCurrentBytes()).as("%s", c).isGreaterThan(LIMIT * (EscapeMatrix.BUDGET_LIMITS - 1));
        } else {
            // 6.x takes elements from bpf_mem_alloc's caches, refilled with GFP_NOWAIT: not forced.
            assertHolds(c);
        }
    }

    private static void assertEscapesUntil511(EscapeCell c, Era era) {
        if (era.compareTo(Era.V5_11) < 0) {
            assertEscapes(c);
        } else {
            assertHolds(c);
        }
    }

    @Test
    void theReadmeMatrixShowsTheVerdictsOfTheMatrix() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int section = readme.indexOf("## The escape matrix");
        assertThat(section).as("README.md has a \"## The escape matrix\" section").isNotNegative();
        int header = section;
        while (!readme.get(header).startsWith("path ")) {
            header++;
        }
        assertThat(readme.get(header).split(" +")).containsSubsequence(
                Arrays.stream(Era.values()).map(Era::version).toArray(String[]::new));
        for (int i = 0; i < EscapePaths.ALL.size(); i++) {
            String[] row = readme.get(header + 1 + i).split(" +");
            String path = EscapePaths.ALL.get(i).name();
            assertThat(row[0]).isEqualTo(path);
            int column = 1;
            for (Era era : Era.values()) {
                // A cell is "0.00x ok" (two words) or "n/a" (one).
                boolean na = row[column].equals("n/a");
                String verdict = na ? "n/a" : row[column + 1];
                column += na ? 1 : 2;
                assertThat(verdict).as("README's %s %s", path, era.version())
                        .isEqualTo(cell(path, era).verdict());
            }
        }
    }

    @Test
    void theReadmesFirstSetUpCommandIsTheMatrix() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int setUp = readme.indexOf("## Set up");
        assertThat(readme.get(setUp + 2)).isEqualTo("```sh");
        assertThat(readme.get(setUp + 3)).startsWith("./mmemu ").doesNotContain("./mmemu -");
    }

    @Test
    void noCellLeaksAndEveryPathButTheMmapableArrayExistsInEveryEra() {
        CELLS.values().stream().flatMap(m -> m.values().stream()).forEach(c -> {
            assertThat(c.problems()).as("%s", c).isEmpty();
            if (!c.path().equals("bpf-mmapable-array")) {
                assertThat(c.applicable()).as("%s", c).isTrue();
            }
        });
        assertThat(CELLS).hasSize(EscapePaths.ALL.size());
        CELLS.values().forEach(m -> assertThat(m).hasSize(Era.values().length));
    }
}
