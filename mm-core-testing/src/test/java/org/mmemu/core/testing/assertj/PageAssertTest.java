package org.mmemu.core.testing.assertj;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * Each assertion passes on a page in the state it names and fails, with the page's dump, on one
 * that is not. The machine is the extension's default (64M, latest policies: top-byte types).
 */
@ExtendWith(MachineExtension.class)
class PageAssertTest {
    private Page page;
    private String pfn;

    @BeforeEach
    void allocate(TestMachine m) {
        page = m.alloc().allocPage(GFP_KERNEL);
        pfn = "pfn 0x" + Long.toHexString(page.pfn());
    }

    @AfterEach
    void free(TestMachine m) {
        m.alloc().freePage(page);
    }

    @Test
    void hasRefCount() {
        assertThat(page).hasRefCount(1);
        assertThatThrownBy(() -> assertThat(page).hasRefCount(2))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("\nExpecting " + pfn + " to have refcount 2 but was 1\npage:ffffea")
                .hasMessageContaining("refcount:1 mapcount:0");
    }

    @Test
    void hasMapcountWordAndMapcount() {
        page.setMapcountWord(1);
        assertThat(page).hasMapcountWord(1).hasMapcount(2);
        assertThatThrownBy(() -> assertThat(page).hasMapcountWord(-1))
                .hasMessageStartingWith("\nExpecting " + pfn + " to have _mapcount word 0xffffffff (-1)"
                        + " but was 0x00000001 (1)\npage:");
        assertThatThrownBy(() -> assertThat(page).hasMapcount(0))
                .hasMessageStartingWith("\nExpecting " + pfn + " to have mapcount 0 but was 2\n")
                .hasMessageContaining("mapcount:2");
        page.setMapcountWord(-1);
    }

    @Test
    void hasTypeAndHasNoType(TestMachine m) {
        assertThat(page).hasNoType();
        assertThatThrownBy(() -> assertThat(page).hasType(PageType.TABLE))
                .hasMessageStartingWith("\nExpecting " + pfn + " to be PageTable, but its _mapcount"
                        + " word 0xffffffff holds no type\npage:");

        m.types().set(page, PageType.TABLE);
        assertThat(page).hasType(PageType.TABLE);
        assertThatThrownBy(() -> assertThat(page).hasNoType())
                .hasMessageStartingWith("\nExpecting " + pfn + " to have no page type, but its"
                        + " _mapcount word 0xf2000000 reads as PageTable\npage:");
        m.types().clear(page, PageType.TABLE);
    }

    @Test
    void hasTypeFailsForATypeTheEncodingLacks() {
        assertThatThrownBy(() -> assertThat(page).hasType(PageType.KMEMCG))
                .hasMessageStartingWith("\nExpecting " + pfn + " to be PageKmemcg, but"
                        + " pagetype.TopByte613 has no such type\n");
    }

    @Test
    void isFreeAndIsNotFree(TestMachine m) {
        // The per-CPU refill for @BeforeEach split one order-10 block; the first order-9
        // allocation takes its leftover upper half, the second splits a whole block.
        Page leftover = m.alloc().allocPages(GFP_KERNEL, 9);
        Page half = m.alloc().allocPages(GFP_KERNEL, 9);
        Page buddy = m.page(half.pfn() ^ 512);
        assertThat(buddy).isFree().hasType(PageType.BUDDY).hasRefCount(0);
        assertThat(m.page(buddy.pfn() + 1)).isFree().hasNoType();
        assertThat(half).isNotFree().hasNoType();

        assertThatThrownBy(() -> assertThat(half).isFree())
                .hasMessageStartingWith("\nExpecting pfn 0x" + Long.toHexString(half.pfn())
                        + " to be free (in a buddy block or on a per-CPU list), but it is not\npage:");
        assertThatThrownBy(() -> assertThat(buddy).isNotFree())
                .hasMessageStartingWith("\nExpecting pfn 0x" + Long.toHexString(buddy.pfn())
                        + " not to be free, but it is in the allocator\npage:");
        m.alloc().freePages(half, 9);
        m.alloc().freePages(leftover, 9);
    }

    @Test
    void hasMemcgData() {
        page.setMemcgData(0xffff8f0000000040L | 1);
        assertThat(page).hasMemcgData(0xffff8f0000000041L);
        assertThatThrownBy(() -> assertThat(page).hasMemcgData(0))
                .hasMessageStartingWith("\nExpecting " + pfn + " to have memcg_data 0x0 but was"
                        + " 0xffff8f0000000041\n")
                .hasMessageContaining("page->mem_cgroup:ffff8f0000000041");
        page.setMemcgData(0);
    }

    @Test
    void hasFlagAndDoesNotHaveFlag() {
        page.setFlag(PageFlags.PG_dirty);
        assertThat(page).hasFlag(PageFlags.PG_dirty).doesNotHaveFlag(PageFlags.PG_locked);
        assertThatThrownBy(() -> assertThat(page).hasFlag(PageFlags.PG_locked))
                .hasMessageStartingWith("\nExpecting " + pfn + " to have PG_locked set, but its"
                        + " flags are 0x8(dirty)\n");
        assertThatThrownBy(() -> assertThat(page).doesNotHaveFlag(PageFlags.PG_dirty))
                .hasMessageStartingWith("\nExpecting " + pfn + " to have PG_dirty clear, but it is set\n");
        assertThatThrownBy(() -> assertThat(page).hasFlag(PageFlags.NR_PAGEFLAGS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a PG_* bit: 22");
        page.clearFlag(PageFlags.PG_dirty);
    }

    @Test
    void compoundHeadAndTails(TestMachine m) {
        Page head = m.alloc().allocPages(GFP_KERNEL | __GFP_COMP, 2);
        Page tail = m.page(head.pfn() + 3);
        String headPfn = "pfn 0x" + Long.toHexString(head.pfn());
        assertThat(head).isCompoundHead().hasFlag(PageFlags.PG_head);
        assertThat(tail).isTail().isTailOf(head).hasRefCount(0);

        assertThatThrownBy(() -> assertThat(tail).isCompoundHead())
                .hasMessageStartingWith("\nExpecting pfn 0x" + Long.toHexString(tail.pfn())
                        + " to be a compound head (PG_head), but it is not\n")
                .hasMessageContaining("head:");
        assertThatThrownBy(() -> assertThat(head).isTail())
                .hasMessageStartingWith("\nExpecting " + headPfn + " to be a tail page, but"
                        + " compound_head bit 0 is clear\n");
        assertThatThrownBy(() -> assertThat(tail).isTailOf(page))
                .hasMessageStartingWith("\nExpecting pfn 0x" + Long.toHexString(tail.pfn())
                        + " to be a tail of " + pfn + ", but its compound_head is " + headPfn + "\n");
        m.refs().putPage(tail);
    }

    @Test
    void aDescriptionPrefixesTheMessage() {
        assertThatThrownBy(() -> assertThat(page).as("after put_page").hasRefCount(0))
                .hasMessageStartingWith("[after put_page] \nExpecting " + pfn + " to have refcount 0");
    }

    @Test
    void aNullPageFails() {
        assertThatThrownBy(() -> assertThat((Page) null).hasRefCount(1))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expecting actual not to be null");
    }
}
