package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;

/** pfn, page and address conversions over the emulated direct map and vmemmap. */
class MemMapTest {
    private final MemMap memMap = new MemMap(1024, pfn -> 0);

    @Test
    void pfnToPageAndBack() {
        for (int pfn = 0; pfn < 1024; pfn += 97) {
            Page p = memMap.pfnToPage(pfn);
            assertThat(p.pfn()).isEqualTo(pfn);
            assertThat(memMap.page(pfn)).isSameAs(p);
        }
        assertThat(memMap.pfnValid(1023)).isTrue();
        assertThat(memMap.pfnValid(1024)).isFalse();
        assertThat(memMap.pfnValid(-1)).isFalse();
        assertThatThrownBy(() -> memMap.pfnToPage(1024)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("pfn 0x400 is outside mem_map");
    }

    @Test
    void directMapAddresses() {
        Page p = memMap.page(0x123);
        long addr = MemMap.pageAddress(p);
        assertThat(addr).isEqualTo(0xffff888000123000L);
        assertThat(memMap.virtToPage(addr)).isSameAs(p);
        assertThat(memMap.virtToPage(addr + MemMap.PAGE_SIZE - 1)).isSameAs(p);
        assertThat(MemMap.structPageAddress(p)).isEqualTo(0xffffea0000000000L + 0x123 * 64);
        assertThatThrownBy(() -> memMap.virtToPage(MemMap.PAGE_OFFSET - 1)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> memMap.virtToPage(MemMap.PAGE_OFFSET + (1024L << 12))).isInstanceOf(KernelBug.class);
        assertThat(MemMap.PAGE_MASK).isEqualTo(0xfffffffffffff000L);
    }

    @Test
    void linksAreEvenAndNameTheirPage() {
        Page p = memMap.page(77);
        int link = MemMap.link(p);
        assertThat(link & 1).as("bit 0 is free for compound_head").isZero();
        assertThat(memMap.fromLink(link)).isSameAs(p);
        assertThat(memMap.fromLink(Page.NIL_LINK)).isNull();
    }
}
