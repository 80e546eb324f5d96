package org.mmemu.s390;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.mm.MmuGather;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.Seeded;

/**
 * A seeded stateful test: PTE tables allocated and freed at random, at once or through RCU with
 * grace periods at random points, against a model of each page's fragment bits. After every
 * step no page is leaked or freed early, no half is handed out twice, and the bits, the
 * {@code pgtable_list}, the page count and {@code NR_PAGETABLE} are exactly the model's.
 */
class FragmentRandomTest {
    private static final int STEPS = 5000;
    private static final int MAX_LIVE = 96;

    private S390Fixture f;

    @AfterEach
    void finish() {
        f.finish();
    }

    @ParameterizedTest
    @EnumSource(FragmentLayout.Eras.class)
    void randomAllocAndFreeNeverLeaksNorDoubleFreesAPage(FragmentLayout.Eras layout) {
        f = new S390Fixture(layout).withMm();
        Seeded.run(0x5390f4a6L + layout.ordinal(), rnd -> new Walk(rnd).run());
    }

    /** The model: each table page's expected bits ({@code PP << 4 | AA}), and the tables. */
    private final class Walk {
        private final SplittableRandom rnd;
        private final boolean halves = f.layout.sharesPages();
        private final Map<Page, Integer> bits = new HashMap<>();
        private final List<PageTable> live = new ArrayList<>();
        private final List<PageTable> inGather = new ArrayList<>();
        private final List<PageTable> inRcu = new ArrayList<>();
        private final Set<Page> everUsed = new HashSet<>();
        private MmuGather tlb;
        /** Allocations that got the free half of a page already in use. */
        private int halvesReused;

        Walk(SplittableRandom rnd) {
            this.rnd = rnd;
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                step();
                check("step " + step);
            }
            while (!live.isEmpty()) {
                free(live.remove(live.size() - 1));
            }
            finishGather();
            gracePeriod();
            check("the end");
            assertThat(f.used()).isZero();
            if (halves) {
                assertThat(halvesReused).as("halves handed out from pgtable_list").isGreaterThan(STEPS / 20);
            } else {
                assertThat(halvesReused).isZero();
            }
        }

        private void step() {
            int op = rnd.nextInt(10);
            if (op < 4 && live.size() < MAX_LIVE || live.isEmpty() && op < 8) {
                alloc();
            } else if (op < 6) {
                free(live.remove(rnd.nextInt(live.size())));
            } else if (op < 8) {
                freeRcu(live.remove(rnd.nextInt(live.size())));
            } else if (op == 8) {
                finishGather();
            } else {
                gracePeriod();
            }
        }

        private void alloc() {
            PageTable t = f.pte();
            assertThat(t).as("out of memory").isNotNull();
            int bit = 1 << half(t);
            int before = bits.getOrDefault(t.page(), 0);
            assertThat(before & (bit | bit << 4)).as("%s handed out while allocated or pending", t).isZero();
            if (before != 0) {
                halvesReused++;
            }
            bits.put(t.page(), before ^ bit);
            live.add(t);
            everUsed.add(t.page());
        }

        private void free(PageTable t) {
            f.tables.freeTable(f.mm, t);
            xor(t.page(), 1 << half(t));
        }

        private void freeRcu(PageTable t) {
            if (tlb == null) {
                tlb = f.spaces.tlbGatherMmu(f.mm, false);
            }
            f.tables.freeTableTlb(tlb, t);
            xor(t.page(), 0x11 << half(t));
            inGather.add(t);
        }

        private void finishGather() {
            if (tlb != null) {
                tlb.finish();
                tlb = null;
                inRcu.addAll(inGather);
                inGather.clear();
            }
        }

        /** Only tables whose gather has finished are in RCU's hands; the others still wait. */
        private void gracePeriod() {
            f.rcu.synchronizeRcu();
            for (PageTable t : inRcu) {
                xor(t.page(), 0x10 << half(t));
            }
            inRcu.clear();
        }

        private void xor(Page page, int bit) {
            int now = bits.get(page) ^ bit;
            if (now == 0) {
                bits.remove(page);
            } else {
                bits.put(page, now);
            }
        }

        private int half(PageTable t) {
            return t.offset() / 2048;
        }

        private void check(String where) {
            assertThat(f.used()).as("%s: pages in use", where).isEqualTo(bits.size());
            assertThat(f.nrPagetable()).as("%s: NR_PAGETABLE", where).isEqualTo(bits.size());
            for (Page p : everUsed) {
                assertThat(f.m.isFree(p)).as("%s: %s free", where, p).isEqualTo(!bits.containsKey(p));
            }
            if (!halves) {
                assertThat(f.listed()).isEmpty();
                return;
            }
            List<Page> oneHalfInUse = new ArrayList<>();
            for (Map.Entry<Page, Integer> e : bits.entrySet()) {
                assertThat(f.bits(e.getKey())).as("%s: bits of %s", where, e.getKey()).isEqualTo(e.getValue());
                int allocated = e.getValue() & 3;
                if (allocated == 1 || allocated == 2) {
                    oneHalfInUse.add(e.getKey());
                }
            }
            assertThat(f.listed()).as("%s: pgtable_list", where).containsExactlyInAnyOrderElementsOf(oneHalfInUse);
        }
    }
}
