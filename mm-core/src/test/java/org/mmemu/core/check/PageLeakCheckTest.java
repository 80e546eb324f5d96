package org.mmemu.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.Seeded;

class PageLeakCheckTest {
    private static PageLeakCheck leakCheck(Machine m) {
        return m.injector.getInstance(PageLeakCheck.class);
    }

    @Test
    void aFreshMachineLeaksNothing() {
        Machine m = Machine.boot();
        assertThat(leakCheck(m).leakedPfns().isEmpty()).isTrue();
        assertThat(leakCheck(m).check()).isEmpty();
    }

    @Test
    void namesALeakedPageWithItsDump() {
        Machine m = Machine.boot();
        Page page = m.alloc.allocPage(GFP_KERNEL);

        List<String> violations = leakCheck(m).check();

        assertThat(violations).hasSize(2);
        assertThat(violations.get(0)).isEqualTo("1 page(s) neither free, nor reported bad, nor owned");
        assertThat(violations.get(1))
                .startsWith("pfn 0x" + Long.toHexString(page.pfn()) + " leaked:")
                .contains("refcount:1 mapcount:0")
                .contains(String.format("pfn:0x%x", page.pfn()));
        m.alloc.freePage(page);
        assertThat(leakCheck(m).check()).isEmpty();
    }

    @Test
    void groupsAHighOrderLeakIntoOneRun() {
        Machine m = Machine.boot();
        Page page = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 3);
        long pfn = page.pfn();

        List<String> violations = leakCheck(m).check();

        assertThat(violations).hasSize(2);
        assertThat(violations.get(0)).startsWith("8 page(s)");
        assertThat(violations.get(1))
                .startsWith(String.format("pfns 0x%x-0x%x leaked (8 pages), the first:", pfn, pfn + 7))
                .contains("head:").contains("order:3");
        m.alloc.freePages(page, 3);
        assertThat(leakCheck(m).check()).isEmpty();
    }

    @Test
    void showsTheFirstFiveRunsAndCountsTheRest() {
        Machine m = Machine.boot();
        List<Page> kept = new ArrayList<>();
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            pages.add(m.alloc.allocPage(GFP_KERNEL));
        }
        for (Page p : pages) {
            if (p.pfn() % 2 == 0) {
                kept.add(p);
            } else {
                m.alloc.freePage(p);
            }
        }
        // Every kept pfn is even and its odd neighbours are free: one run per page.
        assertThat(kept.size()).isGreaterThan(5);

        List<String> violations = leakCheck(m).check();

        assertThat(violations).hasSize(1 + 5 + 1);
        assertThat(violations.get(0)).startsWith(kept.size() + " page(s)");
        assertThat(violations.get(6)).isEqualTo("... and " + (kept.size() - 5) + " more");
        kept.forEach(m.alloc::freePage);
        assertThat(leakCheck(m).check()).isEmpty();
    }

    @Test
    void aReportedBadPageIsNotALeak() {
        Machine m = Machine.boot();
        Page page = m.alloc.allocPage(GFP_KERNEL);
        page.setMapcountWord(0);                      // still mapped once
        m.alloc.freePage(page);

        assertThat(m.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.pfn()).isEqualTo(page.pfn()));
        assertThat(leakCheck(m).check()).isEmpty();
    }

    @Test
    void aBlockWithABadHeadIsRecordedWholeAndNotCountedAsLost() {
        Machine m = Machine.boot();
        Page page = m.alloc.allocPages(GFP_KERNEL, 2);
        long pfn = page.pfn();
        page.setMapcountWord(0);
        m.alloc.freePages(page, 2);                    // free_pages_prepare fails: block kept out

        assertThat(m.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.pfn()).isEqualTo(pfn));
        assertThat(m.badPages.leakedBlocks())
                .containsExactly(new BadPageReporter.LeakedBlock(pfn, 2));
        assertThat(m.alloc.freePfns().get((int) pfn, (int) pfn + 4).isEmpty()).isTrue();
        assertThat(leakCheck(m).leakedPfns().isEmpty()).isTrue();
        assertThat(leakCheck(m).check()).isEmpty();
    }

    @Test
    void pagesHeldByAnOwnerAreNotLeaked() {
        BitSet held = new BitSet();
        Machine m = Machine.boot(binder -> ConsistencyChecks.pageOwners(binder).add(owned -> owned.or(held)));
        Page page = m.alloc.allocPages(GFP_KERNEL, 1);
        held.set((int) page.pfn(), (int) page.pfn() + 2);

        assertThat(leakCheck(m).check()).isEmpty();

        held.clear((int) page.pfn() + 1);
        assertThat(leakCheck(m).leakedPfns().stream()).containsExactly((int) page.pfn() + 1);
        m.alloc.freePages(page, 1);
        assertThat(leakCheck(m).check()).isEmpty();
    }

    /** Whatever is allocated and not freed, in any order and size, is exactly what leaks. */
    @Test
    void leaksAreExactlyTheBlocksNotFreed() {
        Seeded.run(0x1eafL, rnd -> {
            Machine m = Machine.boot();
            List<Page> heads = new ArrayList<>();
            List<Integer> orders = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                if (heads.isEmpty() || rnd.nextInt(3) > 0) {
                    int order = rnd.nextInt(5);
                    int gfp = rnd.nextBoolean() ? GFP_KERNEL : GFP_KERNEL | __GFP_COMP;
                    heads.add(m.alloc.allocPages(gfp, order));
                    orders.add(order);
                } else {
                    int i = rnd.nextInt(heads.size());
                    m.alloc.freePages(heads.remove(i), orders.remove(i));
                }
            }
            BitSet expected = new BitSet();
            for (int i = 0; i < heads.size(); i++) {
                int pfn = (int) heads.get(i).pfn();
                expected.set(pfn, pfn + (1 << orders.get(i)));
            }
            assertThat(leakCheck(m).leakedPfns()).isEqualTo(expected);

            for (int i = 0; i < heads.size(); i++) {
                m.alloc.freePages(heads.get(i), orders.get(i));
            }
            assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
        });
    }
}
