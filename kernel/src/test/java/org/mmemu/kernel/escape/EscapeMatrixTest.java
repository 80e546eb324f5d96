package org.mmemu.kernel.escape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.Page;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.kmem.KmemPages;

/**
 * The matrix engine with stand-in paths whose charging is known in every era: plain
 * {@code GFP_KERNEL} pages (never charged), pages of memcg's explicit helper
 * {@code alloc_kmem_pages(GFP_KERNEL_ACCOUNT)} (charged in every era), and a path that keeps a
 * page after the teardown (a leak the machine's checks must report).
 */
class EscapeMatrixTest {
    private static final long LIMIT = 1L << 20;
    private static final EscapeMatrix MATRIX = new EscapeMatrix(LIMIT);

    /**
     * A path whose every step is one page from {@code alloc}, in the task's context, each given
     * to {@code free} on release.
     */
    private record PagePath(String name, Function<Kernel, Page> alloc, BiConsumer<Kernel, Page> free, boolean applies)
            implements EscapePath {
        @Override
        public String description() {
            return "allocates pages (a test's stand-in)";
        }

        @Override
        public KernelChange closedBy() {
            return KernelChange.never("a test path", "none");
        }

        @Override
        public boolean appliesTo(Era era) {
            return applies;
        }

        @Override
        public PathDrive start(Kernel kernel, Task task) {
            List<Page> pages = new ArrayList<>();
            return new PathDrive() {
                @Override
                public void step() {
                    Page p;
                    try (var running = kernel.enter(task)) {
                        p = alloc.apply(kernel);
                    }
                    if (p == null) {
                        throw new ErrnoException(Errno.ENOMEM, "test allocation");
                    }
                    pages.add(p);
                }

                @Override
                public void release() {
                    pages.forEach(p -> free.accept(kernel, p));
                }
            };
        }
    }

    private static final PagePath UNCHARGED = new PagePath("uncharged",
            k -> k.get(PageAllocator.class).allocPage(GFP_KERNEL), (k, p) -> k.get(PageAllocator.class).freePage(p), true);
    private static final PagePath CHARGED = new PagePath("charged",
            k -> k.get(KmemPages.class).allocKmemPages(GFP_KERNEL_ACCOUNT, 0),
            (k, p) -> k.get(KmemPages.class).freeKmemPages(p, 0), true);

    @ParameterizedTest
    @EnumSource(Era.class)
    void anUnchargedPathRunsToTheBudgetAndEscapesAllOfIt(Era era) {
        EscapeCell c = MATRIX.cell(UNCHARGED, era);

        assertThat(c.stop()).isEqualTo("budget");
        assertThat(c.allocatedBytes()).isGreaterThanOrEqualTo(EscapeMatrix.BUDGET_LIMITS * LIMIT);
        assertThat(c.chargedBytes()).isZero();
        assertThat(c.escapedBytes()).isEqualTo(c.allocatedBytes());
        assertThat(c.escapedLimits()).isGreaterThanOrEqualTo(EscapeMatrix.BUDGET_LIMITS);
        assertThat(c.held()).isFalse();
        assertThat(c.problems()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void aChargedPathIsStoppedByTheLimitAndHolds(Era era) {
        EscapeCell c = MATRIX.cell(CHARGED, era);

        assertThat(c.stop()).isIn("ENOMEM", "killed");
        assertThat(c.steps()).as("a page a step, the limit's worth at most").isLessThanOrEqualTo(LIMIT / 4096);
        assertThat(c.chargedBytes()).isEqualTo(c.allocatedBytes());
        assertThat(c.escapedBytes()).isZero();
        assertThat(c.maxCurrentBytes()).isLessThanOrEqualTo(LIMIT + MATRIX.tolerance());
        assertThat(c.held()).isTrue();
        assertThat(c.problems()).isEmpty();
    }

    @Test
    void aPageLeftAfterTheTeardownIsReportedByTheMachinesChecks() {
        PagePath leaky = new PagePath("leaky", k -> k.get(PageAllocator.class).allocPage(GFP_KERNEL), (k, p) -> { }, true);

        EscapeCell c = MATRIX.cell(leaky, Era.LATEST);

        assertThat(c.leaked()).isTrue();
        assertThat(String.join("\n", c.problems())).contains("leak");
    }

    @Test
    void aPathAnEraLacksIsNotApplicableAndNotRun() {
        PagePath nowhere = new PagePath("nowhere", k -> {
            throw new AssertionError("a path that does not apply must not be driven");
        }, (k, p) -> { }, false);
        List<EscapeCell> done = new ArrayList<>();

        List<EscapeCell> cells = MATRIX.run(List.of(nowhere), List.of(Era.V4_7, Era.LATEST), done::add);

        assertThat(cells).extracting(EscapeCell::era).containsExactly(Era.V4_7, Era.LATEST);
        assertThat(cells).allSatisfy(c -> {
            assertThat(c.applicable()).isFalse();
            assertThat(c.stop()).isEqualTo("n/a");
            assertThat(c.steps()).isZero();
            assertThat(c.leaked()).isFalse();
        });
        assertThat(done).containsExactlyInAnyOrderElementsOf(cells);
    }

    @Test
    void cellsComeBackPathByPathThenEraByEra() {
        List<EscapeCell> cells = MATRIX.run(List.of(CHARGED, UNCHARGED), List.of(Era.V4_8, Era.V5_11), c -> { });

        assertThat(cells).extracting(c -> c.path() + " " + c.era().version())
                .containsExactly("charged 4.8", "charged 5.11", "uncharged 4.8", "uncharged 5.11");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, (1 << 20) - 4096, (64L << 20) + 4096, (8L << 20) + 1})
    void aLimitOutsideOneToSixtyFourMegabytesOrOfPartPagesIsRefused(long limit) {
        assertThatThrownBy(() -> new EscapeMatrix(limit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 1M to 64M");
    }

    @Test
    void theToleranceIsAnEighthOfTheLimitButAtLeast256K() {
        assertThat(new EscapeMatrix(8L << 20).tolerance()).isEqualTo(1L << 20);
        assertThat(new EscapeMatrix(1L << 20).tolerance()).isEqualTo(256L << 10);
    }
}
