package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;

/**
 * What the buddy allocator makes of a {@code _mapcount} word another tenant corrupted
 * (reference, "Conflicts worth emulating" 2 and 10).
 */
class MapcountConflictsTest {

    /** Two order-0 pages that are each other's buddy, taken from one per-CPU refill. */
    private static Page[] buddyPair(Machine m) {
        Page a = m.alloc.allocPage(GFP_KERNEL);
        Page b = m.alloc.allocPage(GFP_KERNEL);
        assertThat(b.pfn()).isEqualTo(a.pfn() ^ 1);
        return new Page[] {a, b};
    }

    @Test
    void aMappedKmemcgPageOf418ReadsAsAFreeBuddyAndTheMergeHitsVmBugOn() {
        Machine m = Machine.bootWithPageTypes("pagetype.Bits418");
        Page[] pair = buddyPair(m);
        Page freed = pair[0];
        Page charged = pair[1];
        m.types.set(charged, PageType.KMEMCG);
        charged.mapcountAddReturn(1);  // vm_insert_page before 5.1
        assertThat(charged.mapcountWord()).isEqualTo(0xfffffe00);
        assertThat(m.types.has(charged, PageType.BUDDY)).as("PageBuddy on a mapped, charged page").isTrue();
        assertThat(charged.privateWord()).as("and its private says order 0").isZero();

        m.alloc.freePage(freed);
        assertThatThrownBy(m.alloc::drainAllPages)
                .isInstanceOf(KernelBug.class)
                .hasMessageStartingWith("VM_BUG_ON_PAGE(page_count(buddy) != 0)")
                .hasMessageContaining("pfn:0x" + Long.toHexString(charged.pfn()));

        // Unmap: the type comes back and the page can be uncharged and freed.
        charged.mapcountAddReturn(-1);
        assertThat(m.types.encoding().typesOf(charged.mapcountWord())).containsExactly(PageType.KMEMCG);
        m.types.clear(charged, PageType.KMEMCG);
        m.alloc.freePage(charged);
        m.alloc.drainAllPages();
        BitSet lost = new BitSet();
        lost.set((int) freed.pfn());
        assertThat(m.leakedPfns()).as("only the page the oops was freeing").isEqualTo(lost);
    }

    @Test
    void aMappedKmemcgPageOf48IsNoBuddySoItsNeighbourFreesNormally() {
        Machine m = Machine.bootWithPageTypes("pagetype.Value48");
        Page[] pair = buddyPair(m);
        Page charged = pair[1];
        m.types.set(charged, PageType.KMEMCG);
        charged.mapcountAddReturn(1);
        assertThat(m.types.hasAnyType(charged)).isFalse();
        m.alloc.freePage(pair[0]);
        m.alloc.drainAllPages();
        assertThat(m.alloc.freePfns().get((int) pair[0].pfn())).isTrue();

        charged.mapcountAddReturn(-1);
        m.types.clear(charged, PageType.KMEMCG);
        m.alloc.freePage(charged);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void anS390PageFreedWithFragmentBitsIsReportedNonzeroMapcount() {
        Machine m = Machine.bootWithPageTypes("pagetype.Value48");
        Page table = m.alloc.allocPage(GFP_KERNEL);
        table.setMapcountWord(1);           // page_table_alloc: lower half in use
        table.mapcountXorReturn(1 << 1);    // upper half too
        table.mapcountXorReturn(1);         // lower half freed, upper still in use
        assertThat(MapcountWord.s390FoldedMask(table.mapcountWord())).isEqualTo(2);
        m.alloc.freePage(table);            // freed without resetting _mapcount to -1
        assertThat(m.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("nonzero mapcount"));
        assertThat(table.mapcountWord()).isEqualTo(MapcountWord.UNMAPPED);
        assertThat(m.leakedPages()).isZero();
    }
}
