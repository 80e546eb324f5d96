package org.mmemu.core.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mem.PhysicalMemory.PAGE_POISON;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * What a page reads as through its life in the allocator: the poison pattern unless allocated
 * with {@code __GFP_ZERO}, its bytes once written, nothing once freed, whatever path freed it.
 */
class PageContentsTest {
    private final Machine m = Machine.boot();

    @AfterEach
    void consistent() {
        assertThat(m.consistencyViolations()).isEmpty();
    }

    private byte[] read(Page page) {
        byte[] b = new byte[MemMap.PAGE_SIZE];
        m.ram.read(page.pfn(), 0, b, 0, b.length);
        return b;
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[MemMap.PAGE_SIZE];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private Page page(Page head, int i) {
        return m.memMap.page((int) head.pfn() + i);
    }

    @Test
    void aPageAllocatedWithoutGfpZeroReadsAsThePoisonPattern() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        assertThat(read(page)).isEqualTo(filled(PAGE_POISON));
        assertThat(m.ram.hasArray(page.pfn())).as("reading allocates nothing").isFalse();
        m.alloc.freePage(page);
    }

    @Test
    void gfpZeroZeroesEveryPageOfTheBlock() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP, 2);
        for (int i = 0; i < 4; i++) {
            assertThat(read(page(head, i))).isEqualTo(filled(0));
            assertThat(m.ram.hasArray(page(head, i).pfn())).isFalse();
        }
        m.refs.putPage(head);
    }

    @Test
    void getZeroedPageReadsAsZeroes() {
        long addr = m.alloc.getZeroedPage(GFP_KERNEL);
        assertThat(read(m.memMap.virtToPage(addr))).isEqualTo(filled(0));
        m.alloc.freePages(addr, 0);
    }

    @Test
    void aPartialWriteKeepsWhatTheRestOfThePageReadAs() {
        Page poisoned = m.alloc.allocPage(GFP_KERNEL);
        Page zeroed = m.alloc.allocPage(GFP_KERNEL | __GFP_ZERO);
        byte[] hello = {'h', 'i'};
        m.ram.write(poisoned.pfn(), 100, hello, 0, 2);
        m.ram.write(zeroed.pfn(), 100, hello, 0, 2);

        byte[] expectPoison = filled(PAGE_POISON);
        expectPoison[100] = 'h';
        expectPoison[101] = 'i';
        byte[] expectZero = filled(0);
        expectZero[100] = 'h';
        expectZero[101] = 'i';
        assertThat(read(poisoned)).isEqualTo(expectPoison);
        assertThat(read(zeroed)).isEqualTo(expectZero);
        assertThat(m.ram.readByte(zeroed.pfn(), 101)).isEqualTo((byte) 'i');
        m.alloc.freePage(poisoned);
        m.alloc.freePage(zeroed);
    }

    @Test
    void aPageFreedThroughThePerCpuListComesBackPoisonedAndArrayless() {
        Page page = m.alloc.allocPage(GFP_KERNEL | __GFP_ZERO);
        m.ram.write(page.pfn(), 0, new byte[] {1, 2, 3}, 0, 3);
        m.alloc.freePage(page);
        assertThat(m.ram.isTouched(page.pfn())).as("a freed page costs nothing").isFalse();

        Page again = m.alloc.allocPage(GFP_KERNEL);
        assertThat(again).as("the per-CPU list is LIFO").isSameAs(page);
        assertThat(read(again)).isEqualTo(filled(PAGE_POISON));
        assertThat(m.log.dmesg()).doesNotContain("pagealloc");
        m.refs.putPage(again);
    }

    @Test
    void holdersOfOnePageByReferenceShareItsBytesUntilTheLastPut() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.ram.write(page.pfn(), 0, new byte[] {42}, 0, 1);
        m.refs.getPage(page);                    // as tee and splice take a pipe buffer's page
        m.refs.putPage(page);
        assertThat(m.ram.readByte(page.pfn(), 0)).as("no copy, nothing dropped").isEqualTo((byte) 42);
        m.refs.putPage(page);
        assertThat(m.ram.isTouched(page.pfn())).isFalse();
    }

    @Test
    void everySubpageOfACompoundPageDropsItsContentsOnTheLastPut() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 3);
        for (int i = 0; i < 8; i++) {
            m.ram.memset(page(head, i).pfn(), 8, i, 16);
        }
        m.refs.getPage(page(head, 5));
        m.refs.putPage(head);
        assertThat(m.ram.hasArray(page(head, 7).pfn())).as("still referenced through a tail").isTrue();
        m.refs.putPage(page(head, 5));
        for (int i = 0; i < 8; i++) {
            assertThat(m.ram.isTouched(page(head, i).pfn())).as("subpage %d", i).isFalse();
        }
    }

    @Test
    void aNonCompoundBlockFreedWhileReferencedDropsTheTailOrders() {
        Page block = m.alloc.allocPages(GFP_KERNEL, 2);
        for (int i = 0; i < 4; i++) {
            m.ram.memset(page(block, i).pfn(), 0, 1, 1);
        }
        m.refs.getPage(block);
        m.alloc.freePages(block, 2);
        assertThat(m.ram.hasArray(block.pfn())).as("the first page is still held").isTrue();
        for (int i = 1; i < 4; i++) {
            assertThat(m.ram.isTouched(page(block, i).pfn())).as("page %d", i).isFalse();
        }
        m.refs.putPage(block);
        assertThat(m.ram.isTouched(block.pfn())).isFalse();
    }

    @Test
    void releasePagesDropsTheContentsOfEveryPage() {
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Page p = m.alloc.allocPage(GFP_KERNEL);
            m.ram.memset(p.pfn(), 0, 7, 10);
            pages.add(p);
        }
        m.refs.releasePages(pages);
        for (Page p : pages) {
            assertThat(m.ram.isTouched(p.pfn())).isFalse();
        }
    }

    @Test
    void aBadPageIsLeakedWithItsContents() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.ram.memset(page.pfn(), 0, 0x5a, 4);
        page.setMapcountWord(0);
        m.alloc.freePage(page);
        assertThat(m.badPages.reports()).hasSize(1);
        assertThat(m.ram.readByte(page.pfn(), 3)).isEqualTo((byte) 0x5a);
    }

    @Test
    void aPageWrittenWhileFreeIsReportedAsCorruptionWhenAllocated() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.ram.write(page.pfn(), 0, new byte[MemMap.PAGE_SIZE], 0, MemMap.PAGE_SIZE);  // its array outlives the free
        m.alloc.freePage(page);
        m.ram.write(page.pfn(), 0x20, "use after free!!x".getBytes(), 0, 17);

        Page again = m.alloc.allocPage(GFP_KERNEL);
        assertThat(again).isSameAs(page);
        long addr = MemMap.pageAddress(page);
        assertThat(m.log.lines()).containsSubsequence("pagealloc: memory corruption",
                String.format("%016x: 75 73 65 20 61 66 74 65 72 20 66 72 65 65 21 21  use after free!!", addr + 0x20),
                String.format("%016x: 78                                               x", addr + 0x30));
        assertThat(m.ram.readByte(page.pfn(), 0x20)).as("the kernel keeps what it found").isEqualTo((byte) 'u');
        m.alloc.freePage(again);
    }

    @Test
    void oneFlippedBitIsASingleBitError() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(page);
        m.ram.memset(page.pfn(), 9, PAGE_POISON ^ 0x04, 1);
        m.alloc.freePage(m.alloc.allocPage(GFP_KERNEL | __GFP_ZERO));
        assertThat(m.log.lines()).contains("pagealloc: single bit error")
                .doesNotContain("pagealloc: memory corruption");
    }

    @Test
    void pagesNeverWrittenCostNoHeapAtAllocOrFree() {
        List<Page> pages = new ArrayList<>();
        Page p;
        while ((p = m.alloc.allocPage(GFP_KERNEL | org.mmemu.core.page.Gfp.__GFP_NOWARN)) != null) {
            pages.add(p);
        }
        assertThat(pages).hasSize(m.memMap.nrPages());
        m.refs.releasePages(pages);
        assertThat(org.openjdk.jol.info.GraphLayout.parseInstance(m.ram).totalCount())
                .as("the store and its section table; no section, no page array")
                .isEqualTo(2);
    }
}
