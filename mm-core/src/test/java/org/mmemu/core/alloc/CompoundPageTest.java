package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;

/** {@code __GFP_COMP} pages: their encoding, references through tails, and the tail checks. */
class CompoundPageTest {
    private static final int ORDER = 3;

    private final Machine m = Machine.boot();

    private Page tail(Page head, int i) {
        return m.memMap.page((int) head.pfn() + i);
    }

    private int[] freeCounts() {
        int[] counts = new int[Zone.MAX_ORDER];
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            counts[o] = m.alloc.zone().nrFree(o);
        }
        return counts;
    }

    /** The pfns of the block at {@code head}, minus those reported bad. */
    /** The whole block stays out of the allocator, recorded, and so nothing counts as lost. */
    private void assertBlockKeptOut(Page head) {
        assertThat(m.badPages.leakedBlocks())
                .containsExactly(new BadPageReporter.LeakedBlock(head.pfn(), ORDER));
        assertThat(m.alloc.freePfns().get((int) head.pfn(), (int) head.pfn() + (1 << ORDER)).isEmpty())
                .isTrue();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void headAndTailsAreEncodedAsPrepCompoundPageDoes() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        assertThat(head.testFlag(PageFlags.PG_head)).isTrue();
        assertThat(CompoundHead.isTail(head)).isFalse();
        assertThat(CompoundHead.isCompound(head)).isTrue();
        assertThat(CompoundHead.compoundOrder(m.memMap, head)).isEqualTo(ORDER);
        assertThat(CompoundHead.compoundMapcount(m.memMap, head)).isZero();
        assertThat(head.refcount()).isEqualTo(1);
        Page first = tail(head, 1);
        assertThat(first.lruPrev()).as("dtor << 8 | order").isEqualTo(CompoundHead.COMPOUND_PAGE_DTOR << 8 | ORDER);
        assertThat(first.mapping()).as("compound_mapcount starts at -1").isEqualTo(-1);
        for (int i = 1; i < 1 << ORDER; i++) {
            Page t = tail(head, i);
            assertThat(CompoundHead.isTail(t)).isTrue();
            assertThat(CompoundHead.isCompound(t)).isTrue();
            assertThat(t.lruNext()).as("compound_head = head | 1").isEqualTo(MemMap.link(head) | 1);
            assertThat(CompoundHead.compoundHead(m.memMap, t)).isSameAs(head);
            assertThat(t.refcount()).isZero();
            assertThat(t.testFlag(PageFlags.PG_head)).isFalse();
            assertThat(t.mapcountWord()).isEqualTo(MapcountWord.UNMAPPED);
            if (i >= 2) {
                assertThat(t.mapping()).isEqualTo(CompoundHead.TAIL_MAPPING);
            }
        }
        Page plain = m.alloc.allocPages(GFP_KERNEL, 2);
        assertThat(CompoundHead.isCompound(plain)).as("no __GFP_COMP").isFalse();
        assertThat(CompoundHead.compoundOrder(m.memMap, plain)).isZero();
        assertThat(CompoundHead.compoundHead(m.memMap, tail(plain, 1))).isSameAs(tail(plain, 1));

        m.alloc.freePages(head, ORDER);
        m.alloc.freePages(plain, 2);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void referencesThroughATailCountOnTheHead() {
        int[] boot = freeCounts();
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        Page t5 = tail(head, 5);
        m.refs.getPage(t5);
        assertThat(head.refcount()).isEqualTo(2);
        assertThat(t5.refcount()).isZero();
        assertThat(m.refs.pageCount(t5)).isEqualTo(2);
        assertThat(m.refs.tryGetPage(tail(head, 2))).isTrue();
        assertThat(m.refs.pageCount(head)).isEqualTo(3);

        m.refs.putPage(tail(head, 7));
        m.refs.putPage(t5);
        assertThat(head.refcount()).isEqualTo(1);
        assertThat(freeCounts()).isNotEqualTo(boot);
        m.refs.putPage(tail(head, 1));

        assertThat(freeCounts()).as("the whole compound page went back").containsExactly(boot);
        assertThat(head.testFlag(PageFlags.PG_head)).isFalse();
        for (int i = 1; i < 1 << ORDER; i++) {
            Page t = tail(head, i);
            assertThat(CompoundHead.isTail(t)).isFalse();
            assertThat(t.mapping()).isZero();
        }
        assertThat(m.refs.tryGetPage(head)).as("free pages cannot be got").isFalse();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void releasePagesFreesCompoundPagesGivenByTheirTails() {
        int[] boot = freeCounts();
        Page a = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 2);
        Page b = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 4);
        Page c = m.alloc.allocPage(GFP_KERNEL);
        m.refs.getPage(b);
        m.refs.releasePages(List.of(tail(a, 3), tail(b, 9), c));
        assertThat(b.refcount()).as("b still has a holder").isEqualTo(1);
        m.refs.releasePages(List.of(b));
        m.alloc.drainAllPages();
        assertThat(freeCounts()).containsExactly(boot);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aCorruptedTailMappingIsReportedAndTheBlockLeaks() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        Page t4 = tail(head, 4);
        t4.setMapping(0x1234000L);
        m.refs.putPage(head);

        assertThat(m.badPages.reports()).singleElement().satisfies(r -> {
            assertThat(r.pfn()).isEqualTo(t4.pfn());
            assertThat(r.reason()).isEqualTo("corrupted mapping in tail page");
        });
        assertBlockKeptOut(head);
    }

    @Test
    void aTailPointingAtAnotherHeadIsReported() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        Page other = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 1);
        CompoundHead.setCompoundHead(tail(head, 6), other);
        m.alloc.freePages(head, ORDER);

        assertThat(m.badPages.reports()).singleElement().satisfies(r -> {
            assertThat(r.pfn()).isEqualTo(head.pfn() + 6);
            assertThat(r.reason()).isEqualTo("compound_head not consistent");
        });
        m.alloc.freePages(other, 1);
        assertBlockKeptOut(head);
    }

    @Test
    void aMappedCompoundPageIsReportedOnTheFirstTail() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        tail(head, 1).setMapping(0);  // compound_mapcount 1: the whole page is still mapped
        m.refs.putPage(head);

        assertThat(m.badPages.reports()).singleElement().satisfies(r -> {
            assertThat(r.pfn()).isEqualTo(head.pfn() + 1);
            assertThat(r.reason()).isEqualTo("nonzero compound_mapcount");
        });
        assertBlockKeptOut(head);
    }

    @Test
    void aTailWithoutItsCompoundHeadIsReported() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        CompoundHead.clearCompoundHead(tail(head, 3));
        m.alloc.freePages(head, ORDER);

        assertThat(m.badPages.reports()).singleElement().satisfies(r -> {
            assertThat(r.pfn()).isEqualTo(head.pfn() + 3);
            assertThat(r.reason()).isEqualTo("PageTail not set");
        });
        assertBlockKeptOut(head);
    }

    @Test
    void theSecondTailsMappingIsNotChecked() {
        int[] boot = freeCounts();
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        tail(head, 2).setMapping(0x5678000L);  // deferred_list.next in the kernel
        m.refs.putPage(head);
        assertThat(m.badPages.reports()).isEmpty();
        assertThat(freeCounts()).containsExactly(boot);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freeingACompoundPageWithTheWrongOrderIsAKernelBug() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        assertThatThrownBy(() -> m.alloc.freePages(head, ORDER - 1))
                .isInstanceOf(KernelBug.class)
                .hasMessageStartingWith("VM_BUG_ON_PAGE(compound && compound_order(page) != order)")
                .hasMessageContaining("head:");
        // The reference was dropped before the assertion fired; give it back and free properly.
        head.setRefcount(1);
        m.alloc.freePages(head, ORDER);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freeingATailPageIsAKernelBug() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, ORDER);
        Page t = tail(head, 2);
        t.setRefcount(1);  // a caller that forged a reference on the tail
        assertThatThrownBy(() -> m.alloc.freePage(t))
                .isInstanceOf(KernelBug.class)
                .hasMessageStartingWith("VM_BUG_ON_PAGE(PageTail(page))");
        assertThat(t.refcount()).isZero();
        m.alloc.freePages(head, ORDER);
        assertThat(m.leakedPages()).isZero();
    }
}
