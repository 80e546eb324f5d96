package org.mmemu.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.alloc.Zone;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.testing.Seeded;

/**
 * Each corruption test breaks one invariant of a fresh 64M machine (sixteen free order-10 blocks,
 * the one at pfn 0 last on its list), checks the violation, then repairs it and checks that the
 * buddy is consistent again.
 */
class BuddyCheckTest {
    private final Machine m = Machine.boot();
    private final BuddyCheck buddy = m.injector.getInstance(BuddyCheck.class);
    private final Page first = m.memMap.page(0);

    @Test
    void aFreshMachineIsConsistent() {
        assertThat(buddy.name()).isEqualTo("buddy");
        assertThat(buddy.check()).isEmpty();
    }

    @Test
    void findsAHeadWithTheWrongOrderInPrivate() {
        first.setPrivateWord(3);

        assertThat(buddy.check()).singleElement().asString()
                .startsWith("pfn 0x0 on the order-10 free list has order 3 in private\n")
                .contains("page:ffffea0000000000 refcount:0");
        first.setPrivateWord(10);
        assertThat(buddy.check()).isEmpty();
    }

    @Test
    void findsAHeadThatIsNotPageBuddy() {
        m.types.clear(first, PageType.BUDDY);

        assertThat(buddy.check()).singleElement().asString()
                .startsWith("pfn 0x0 on the order-10 free list is not PageBuddy\n");
        m.types.set(first, PageType.BUDDY);
        assertThat(buddy.check()).isEmpty();
    }

    @Test
    void findsAFreePageWithAReference() {
        m.memMap.page(5).setRefcount(1);

        assertThat(buddy.check()).singleElement().asString()
                .startsWith("free pfn 0x5 (in the order-10 block at 0x0) has refcount 1\n")
                .contains("pfn:0x5");
        m.memMap.page(5).setRefcount(0);
        assertThat(buddy.check()).isEmpty();
    }

    @Test
    void findsPageBuddyInsideABlock() {
        m.types.set(m.memMap.page(8), PageType.BUDDY);

        assertThat(buddy.check()).singleElement().asString()
                .startsWith("pfn 0x8 inside the order-10 block at 0x0 is PageBuddy\n");
        m.types.clear(m.memMap.page(8), PageType.BUDDY);
        assertThat(buddy.check()).isEmpty();
    }

    @Test
    void findsAMisalignedOverlappingBlockLinkedIntoAList() {
        Page stray = m.memMap.page(0x205);
        first.setLruNext(MemMap.link(stray));

        assertThat(buddy.check())
                .contains("the order-10 block at pfn 0x205 is not aligned to its order",
                        "the order-10 block at pfn 0x205 overlaps another free block (pfn 0x205 is"
                                + " already free)",
                        "the order-10 free list links 17 blocks but its nr_free is 16",
                        "the free lists hold 17408 pages but NR_FREE_PAGES is 16384")
                .anySatisfy(v -> assertThat(v).startsWith("pfn 0x205 on the order-10 free list is"
                        + " not PageBuddy"));
        first.setLruNext(Page.NIL_LINK);
        assertThat(buddy.check()).isEmpty();
    }

    @Test
    void aCycleInAFreeListEndsTheWalk() {
        Page listHead = m.memMap.page(15 * 1024);
        first.setLruNext(MemMap.link(listHead));

        assertThat(buddy.check())
                .contains("the order-10 free list links 16385 blocks but its nr_free is 16")
                .last().asString().startsWith("... and ");
        first.setLruNext(Page.NIL_LINK);
        assertThat(buddy.check()).isEmpty();
    }

    @Test
    void findsFreeBuddiesThatWereNotMerged() {
        Page a = m.alloc.allocPages(GFP_KERNEL, 9);
        int pfn = (int) a.pfn();
        Page b = m.memMap.page(pfn ^ 512);
        assertThat(m.types.has(b, PageType.BUDDY)).isTrue();
        // Link the allocated half back in behind its buddy without merging them.
        a.setRefcount(0);
        a.setPrivateWord(9);
        m.types.set(a, PageType.BUDDY);
        b.setLruNext(MemMap.link(a));
        a.setLruPrev(MemMap.link(b));

        assertThat(buddy.check()).contains(
                String.format("the free order-9 buddies at pfns 0x%x and 0x%x were not merged",
                        Math.min(pfn, pfn ^ 512), Math.max(pfn, pfn ^ 512)),
                "the order-9 free list links 2 blocks but its nr_free is 1");

        b.setLruNext(Page.NIL_LINK);
        a.setLruPrev(Page.NIL_LINK);
        m.types.clear(a, PageType.BUDDY);
        a.setPrivateWord(0);
        a.setRefcount(1);
        m.alloc.freePages(a, 9);
        assertThat(buddy.check()).isEmpty();
        assertThat(m.alloc.zone().nrFree(10)).isEqualTo(16);
    }

    /** Random allocations, frees and drains never break an invariant; all is free at the end. */
    @Test
    void randomAllocFreeKeepsTheInvariants() {
        Seeded.run(0xb0dd1L, rnd -> {
            Machine machine = Machine.boot();
            BuddyCheck check = machine.injector.getInstance(BuddyCheck.class);
            List<Page> heads = new ArrayList<>();
            List<Integer> orders = new ArrayList<>();
            for (int step = 0; step < 3000; step++) {
                int op = rnd.nextInt(10);
                if (op < 5) {
                    int order = rnd.nextInt(4) == 0 ? rnd.nextInt(Zone.MAX_ORDER) : rnd.nextInt(3);
                    int gfp = rnd.nextBoolean() ? GFP_KERNEL : GFP_KERNEL | __GFP_COMP;
                    Page p = machine.alloc.allocPages(gfp, order);
                    if (p != null) {
                        heads.add(p);
                        orders.add(order);
                    }
                } else if (op < 9 && !heads.isEmpty()) {
                    int i = rnd.nextInt(heads.size());
                    machine.alloc.freePages(heads.remove(i), orders.remove(i));
                } else {
                    machine.alloc.drainAllPages();
                }
                if (step % 100 == 0) {
                    assertThat(check.check()).as("step %d", step).isEmpty();
                }
            }
            for (int i = 0; i < heads.size(); i++) {
                machine.alloc.freePages(heads.get(i), orders.get(i));
            }
            assertThat(machine.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
            machine.alloc.drainAllPages();
            assertThat(machine.alloc.nrFreePages()).isEqualTo(machine.memMap.nrPages());
            assertThat(check.check()).isEmpty();
        });
    }
}
