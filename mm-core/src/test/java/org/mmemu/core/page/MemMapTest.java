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

    @Test
    void aDeferredMemMapIsInitialisedASectionAtATimeFromTheTop() {
        int nrPages = 2 * MemMap.PAGES_PER_SECTION + 16;
        MemMap deferred = MemMap.deferred(nrPages, pfn -> 0);
        assertThat(deferred.firstInitPfn()).as("no page yet").isEqualTo(nrPages);

        assertThat(deferred.initSection()).as("the partial top section")
                .isEqualTo(2 * MemMap.PAGES_PER_SECTION);
        assertThat(deferred.page(nrPages - 1).pfn()).isEqualTo(nrPages - 1);
        assertThat(deferred.page(2 * MemMap.PAGES_PER_SECTION - 1)).as("below the section").isNull();

        assertThat(deferred.initSection()).isEqualTo(MemMap.PAGES_PER_SECTION);
        assertThat(deferred.initSection()).isZero();
        assertThat(deferred.initSection()).as("nothing left").isEqualTo(-1);
        assertThat(deferred.firstInitPfn()).isZero();
        assertThat(deferred.page(0).pfn()).isZero();
    }

    @Test
    void aDeferredPfnIsInitialisedThroughTheHookWhenNamed() {
        MemMap deferred = MemMap.deferred(2 * MemMap.PAGES_PER_SECTION, pfn -> 0);
        deferred.initSection();
        deferred.setDeferredInit(pfn -> {
            while (pfn < deferred.firstInitPfn()) {
                deferred.initSection();
            }
        });
        assertThat(deferred.pfnToPage(5).pfn()).isEqualTo(5);
        assertThat(deferred.firstInitPfn()).isZero();
        assertThat(deferred.virtToPage(MemMap.PAGE_OFFSET + (6L << MemMap.PAGE_SHIFT)).pfn()).isEqualTo(6);
    }

    @Test
    void aFullMemMapHasEveryPageFromTheStart() {
        assertThat(memMap.firstInitPfn()).isZero();
        assertThat(memMap.initSection()).isEqualTo(-1);
    }
}
