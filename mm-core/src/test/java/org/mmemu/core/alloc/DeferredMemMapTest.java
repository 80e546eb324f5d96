package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mmemu.core.alloc.BuddyInvariants.freeCounts;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.MemMapHeap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;

/**
 * The lazily initialised mem_map ({@code CONFIG_DEFERRED_STRUCT_PAGE_INIT}): a machine of three
 * sections boots with the top one initialised, and every answer is a fully initialised one's.
 */
class DeferredMemMapTest {
    private static final MemoryConfig THREE_SECTIONS = MemoryConfig.of("384M");
    private static final int SECTION = MemMap.PAGES_PER_SECTION;
    private static final int MAX = Zone.MAX_ORDER - 1;

    @Test
    void bootInitialisesTheTopSectionAloneAndCountsEveryPageFree() {
        Machine m = Machine.boot(THREE_SECTIONS);
        int nrPages = m.memMap.nrPages();
        assertThat(m.memMap.firstInitPfn()).isEqualTo(nrPages - SECTION);

        assertThat(m.alloc.nrFreePages()).isEqualTo(nrPages);
        assertThat(m.alloc.zone().nrFree(MAX)).isEqualTo(nrPages >> MAX);
        assertThat(m.alloc.freePfns().cardinality()).isEqualTo(nrPages);
        assertThat(m.consistencyViolations()).isEmpty();
        assertThat(m.leakedPages()).isZero();
        assertThat(m.memMap.firstInitPfn()).as("the checks initialised nothing").isEqualTo(nrPages - SECTION);
    }

    @Test
    void aMachineThatAllocatesEveryPageGetsThemAll() {
        Machine m = Machine.boot(THREE_SECTIONS);
        int nrPages = m.memMap.nrPages();
        List<Page> pages = new ArrayList<>();
        BitSet pfns = new BitSet(nrPages);
        for (Page p; (p = m.alloc.allocPage(GFP_KERNEL | __GFP_NOWARN)) != null; ) {
            pages.add(p);
            pfns.set((int) p.pfn());
        }
        assertThat(pfns.cardinality()).isEqualTo(nrPages).isEqualTo(pages.size());
        assertThat(m.memMap.firstInitPfn()).isZero();
        assertThat(m.alloc.nrFreePages()).isZero();

        pages.forEach(m.alloc::freePage);
        assertThat(m.consistencyViolations()).isEmpty();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void theSamePagesComeOutAsFromAFullyInitialisedMachine() {
        Machine lazy = Machine.boot(THREE_SECTIONS);
        Machine full = Machine.boot(THREE_SECTIONS);
        full.memMap.pfnToPage(0);
        assertThat(full.memMap.firstInitPfn()).isZero();
        assertThat(lazy.memMap.firstInitPfn()).isPositive();

        assertThat(allocateAll(lazy, 3)).isEqualTo(allocateAll(full, 3));
        assertThat(lazy.memMap.firstInitPfn()).isZero();
    }

    /** The pfns of order-{@code order} blocks allocated until the zone runs dry, a few freed on the way. */
    private static List<Long> allocateAll(Machine m, int order) {
        List<Long> pfns = new ArrayList<>();
        for (Page p; (p = m.alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, order)) != null; ) {
            pfns.add(p.pfn());
            if (pfns.size() % 1000 == 0) {
                m.alloc.freePages(p, order);
            }
        }
        assertThat(m.alloc.zone().nrFree(MAX)).isZero();
        return pfns;
    }

    @Test
    void aPfnNamedBeforeItsSectionIsNeededHasItsFreePage() {
        Machine m = Machine.boot(THREE_SECTIONS);
        int[] before = freeCounts(m.alloc.zone());

        Page first = m.memMap.pfnToPage(0);
        assertThat(m.memMap.firstInitPfn()).isZero();
        assertThat(m.types.has(first, PageType.BUDDY)).as("the head of a free max-order block").isTrue();
        assertThat(first.privateWord()).isEqualTo(MAX);
        assertThat(first.refcount()).isZero();
        assertThat(m.memMap.virtToPage(MemMap.pageAddress(first) + 5 * MemMap.PAGE_SIZE).pfn()).isEqualTo(5);
        assertThat(freeCounts(m.alloc.zone())).as("nothing moved").containsExactly(before);
        assertThat(m.consistencyViolations()).isEmpty();
    }

    @Test
    void aWriteToADeferredFrameIsAUseAfterFree() {
        Machine m = Machine.boot(THREE_SECTIONS);
        m.ram.memset(7, 0, 0x5a, 16);

        assertThat(m.consistencyViolations()).singleElement().asString()
                .startsWith("page poison: free page written after it was freed");
    }

    @Test
    void aSixtyFourGibMachineBootsAndIsCheckedWithoutMakingItsPages() {
        MemoryConfig huge = MemoryConfig.of("64G");
        assumeTrue(MemMapHeap.bytesFor(huge.nrPages()) * 2 < Runtime.getRuntime().maxMemory(),
                "the boot-time heap check needs room for the whole mem_map");
        Machine m = Machine.boot(huge);

        assertThat(m.memMap.firstInitPfn()).isEqualTo(huge.nrPages() - SECTION);
        assertThat(m.alloc.nrFreePages()).isEqualTo(huge.nrPages());
        assertThat(m.consistencyViolations()).isEmpty();
        assertThat(m.memMap.firstInitPfn()).as("the checks made no page").isEqualTo(huge.nrPages() - SECTION);
    }
}
