package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The words of struct page and their atomic operations. */
class PageTest {
    private final MemMap memMap = new MemMap(64, pfn -> pfn < 16 ? 0 : 2);

    @Test
    void aBootedPageKnowsItsPfnAndZoneAndIsUnmapped() {
        Page p = memMap.page(37);
        assertThat(p.pfn()).isEqualTo(37);
        assertThat(p.zoneId()).isEqualTo(2);
        assertThat(memMap.page(3).zoneId()).isZero();
        assertThat(p.mapcountWord()).isEqualTo(MapcountWord.UNMAPPED);
        assertThat(p.refcount()).isZero();
        assertThat(p.pageFlags()).isZero();
        assertThat(p.lruNext()).isEqualTo(Page.NIL_LINK);
        assertThat(p).hasToString("page(pfn=0x25)");
    }

    @Test
    void flagOperationsTouchOnlyThePgBits() {
        Page p = memMap.page(37);
        long upper = p.flags() & ~PageFlags.ALL_PAGE_FLAGS;
        p.setFlag(PageFlags.PG_lru);
        p.setFlag(PageFlags.PG_head);
        assertThat(p.testFlag(PageFlags.PG_lru)).isTrue();
        assertThat(p.pageFlags()).isEqualTo(1L << PageFlags.PG_lru | 1L << PageFlags.PG_head);
        assertThat(p.testAndClearFlag(PageFlags.PG_lru)).isTrue();
        assertThat(p.testAndClearFlag(PageFlags.PG_lru)).isFalse();
        p.clearFlags(-1L);
        assertThat(p.pageFlags()).isZero();
        assertThat(p.flags()).as("zone and pfn survive").isEqualTo(upper);
        p.setFlag(PageFlags.PG_dirty);
        p.clearFlag(PageFlags.PG_dirty);
        assertThat(p.flags()).isEqualTo(upper);
        assertThat(PageFlags.describe(1L << PageFlags.PG_slab | 1L << PageFlags.PG_head)).isEqualTo("slab|head");
        assertThat(PageFlags.name(PageFlags.PG_mlocked)).isEqualTo("mlocked");
    }

    @Test
    void theNonAtomicClearOfTheFreePathTouchesOnlyTheMaskedPgBits() {
        Page p = memMap.page(37);
        long upper = p.flags() & ~PageFlags.ALL_PAGE_FLAGS;
        p.setFlag(PageFlags.PG_lru);
        p.setFlag(PageFlags.PG_dirty);
        p.clearFlagsNonAtomic(1L << PageFlags.PG_lru | ~PageFlags.ALL_PAGE_FLAGS);
        assertThat(p.pageFlags()).as("only the masked bit goes").isEqualTo(1L << PageFlags.PG_dirty);
        assertThat(p.flags() & ~PageFlags.ALL_PAGE_FLAGS).as("zone and pfn survive a mask over them")
                .isEqualTo(upper);
        p.clearFlagsNonAtomic(PageFlags.PAGE_FLAGS_CHECK_AT_PREP);
        assertThat(p.flags()).isEqualTo(upper);
    }

    @Test
    void refcountOperations() {
        Page p = memMap.page(1);
        assertThat(p.refIncNotZero()).as("get_page_unless_zero on a free page").isFalse();
        p.setRefcount(1);
        assertThat(p.refIncNotZero()).isTrue();
        p.refInc();
        assertThat(p.refAdd(2)).isEqualTo(5);
        assertThat(p.refDecAndTest()).isFalse();
        p.setRefcount(1);
        assertThat(p.refDecAndTest()).isTrue();
        assertThat(p.refcount()).isZero();
        assertThat(p.refcountXorReturn(3 << 24)).isEqualTo(3 << 24);
    }

    @Test
    void mapcountAndMemcgWordOperations() {
        Page p = memMap.page(2);
        assertThat(p.mapcountAddReturn(1)).isZero();
        assertThat(p.mapcountXorReturn(0x11)).isEqualTo(0x11);
        p.setMapcountWord(-512);
        assertThat(p.mapcountWord()).isEqualTo(-512);
        assertThat(p.casMemcgData(0, 0x42)).isTrue();
        assertThat(p.casMemcgData(0, 0x43)).isFalse();
        assertThat(p.memcgData()).isEqualTo(0x42);
        p.setMemcgData(0);
        p.setPrivateWord(7);
        assertThat(p.privateWord()).isEqualTo(7);
        p.setMapping(CompoundHead.TAIL_MAPPING);
        assertThat(p.mapping()).isEqualTo(CompoundHead.TAIL_MAPPING);
    }
}
