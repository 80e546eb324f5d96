package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.*;

import org.junit.jupiter.api.Test;

/** GFP values per era (reference section C) and their {@code %pGg} names. */
class GfpLayoutTest {

    @Test
    void compositeFlagsHaveTheKernelNumbersOfEachEra() {
        assertThat(GfpLayout.V4_8.toEraValue(GFP_KERNEL)).isEqualTo(0x24000c0);
        assertThat(GfpLayout.V4_8.toEraValue(GFP_KERNEL_ACCOUNT)).isEqualTo(0x25000c0);
        assertThat(GfpLayout.V4_8.toEraValue(GFP_HIGHUSER)).isEqualTo(0x24200c2);
        assertThat(GfpLayout.V5_11.toEraValue(GFP_KERNEL)).isEqualTo(0xcc0);
        assertThat(GfpLayout.V5_11.toEraValue(GFP_KERNEL_ACCOUNT)).isEqualTo(0x400cc0);
        assertThat(GfpLayout.V5_11.toEraValue(GFP_HIGHUSER)).isEqualTo(0x100cc2);
    }

    @Test
    void the418LayoutHasItsOwnNumbers() {
        // Reference section C, read in 4.18 and 4.19.1 include/linux/gfp.h.
        assertThat(GfpLayout.V4_18.toEraValue(GFP_KERNEL)).isEqualTo(0x6000c0);
        assertThat(GfpLayout.V4_18.toEraValue(GFP_KERNEL_ACCOUNT)).isEqualTo(0x7000c0);
        assertThat(GfpLayout.V4_18.toEraValue(GFP_HIGHUSER)).isEqualTo(0x6200c2);
        assertThat(GfpLayout.V4_18.format(GFP_KERNEL_ACCOUNT)).isEqualTo("0x7000c0(GFP_KERNEL_ACCOUNT)");
    }

    @Test
    void the418LayoutRenumbersOnlyTheWriteAndReclaimBits() {
        int[][] moved = {
            // modern, 4.8, 4.18 (___GFP_* of include/linux/gfp.h)
            {__GFP_WRITE, 0x1000000, 0x100}, {__GFP_DIRECT_RECLAIM, 0x400000, 0x200000},
            {__GFP_KSWAPD_RECLAIM, 0x2000000, 0x400000},
        };
        for (int[] row : moved) {
            assertThat(GfpLayout.V4_8.toEraValue(row[0])).isEqualTo(row[1]);
            assertThat(GfpLayout.V4_18.toEraValue(row[0])).isEqualTo(row[2]);
        }
        int[] kept = {__GFP_DMA, __GFP_HIGHMEM, __GFP_DMA32, __GFP_MOVABLE, __GFP_RECLAIMABLE,
            __GFP_HIGH, __GFP_IO, __GFP_FS, __GFP_NOWARN, __GFP_RETRY_MAYFAIL, __GFP_NOFAIL,
            __GFP_NORETRY, __GFP_MEMALLOC, __GFP_COMP, __GFP_ZERO, __GFP_NOMEMALLOC,
            __GFP_HARDWALL, __GFP_THISNODE, __GFP_ATOMIC, __GFP_ACCOUNT};
        for (int bit : kept) {
            assertThat(GfpLayout.V4_18.toEraValue(bit)).as("0x%x", bit).isEqualTo(GfpLayout.V4_8.toEraValue(bit));
        }
    }

    @Test
    void the418NamesAreTheModernOnes() {
        // 4.18's __def_gfpflag_names: no GFP_TEMPORARY, and 0x400 is __GFP_RETRY_MAYFAIL.
        assertThat(GfpLayout.V4_18.names(GFP_KERNEL | __GFP_RECLAIMABLE)).isEqualTo("GFP_KERNEL|__GFP_RECLAIMABLE");
        assertThat(GfpLayout.V4_18.names(GFP_KERNEL | __GFP_RETRY_MAYFAIL)).isEqualTo("GFP_KERNEL|__GFP_RETRY_MAYFAIL");
        assertThat(GfpLayout.V4_18.format(GFP_KERNEL | __GFP_COMP | __GFP_ZERO))
                .isEqualTo("0x60c0c0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO)");
    }

    @Test
    void singleBitsMoveBetweenErasAsTheReferenceTableSays() {
        int[][] rows = {
            // modern, 4.8
            {__GFP_HIGHMEM, 0x02}, {__GFP_ZERO, 0x8000}, {__GFP_NOWARN, 0x200}, {__GFP_NOFAIL, 0x800},
            {__GFP_COMP, 0x4000}, {__GFP_HARDWALL, 0x20000}, {__GFP_ACCOUNT, 0x100000}, {__GFP_IO, 0x40},
            {__GFP_FS, 0x80}, {__GFP_DIRECT_RECLAIM, 0x400000}, {__GFP_KSWAPD_RECLAIM, 0x2000000},
        };
        int[] modern = {0x02, 0x100, 0x2000, 0x8000, 0x40000, 0x100000, 0x400000, 0x40, 0x80, 0x400, 0x800};
        for (int i = 0; i < rows.length; i++) {
            assertThat(rows[i][0]).isEqualTo(modern[i]);
            assertThat(GfpLayout.V4_8.toEraValue(rows[i][0])).isEqualTo(rows[i][1]);
            assertThat(GfpLayout.V5_11.toEraValue(rows[i][0])).isEqualTo(modern[i]);
        }
    }

    @Test
    void namesFollowTheKernelTableOrder() {
        GfpLayout l = GfpLayout.V5_11;
        assertThat(l.names(GFP_KERNEL)).isEqualTo("GFP_KERNEL");
        assertThat(l.names(GFP_KERNEL_ACCOUNT)).isEqualTo("GFP_KERNEL_ACCOUNT");
        assertThat(l.names(GFP_KERNEL | __GFP_COMP)).isEqualTo("GFP_KERNEL|__GFP_COMP");
        // __GFP_COMP comes before __GFP_ZERO in __def_gfpflag_names, whatever the bit order.
        assertThat(l.names(GFP_KERNEL | __GFP_ZERO | __GFP_COMP)).isEqualTo("GFP_KERNEL|__GFP_COMP|__GFP_ZERO");
        assertThat(l.names(GFP_HIGHUSER)).isEqualTo("GFP_HIGHUSER");
        assertThat(l.names(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)).isEqualTo("GFP_KERNEL_ACCOUNT|__GFP_NOWARN");
        assertThat(l.names(GFP_ATOMIC | __GFP_NOWARN)).isEqualTo("GFP_ATOMIC|__GFP_NOWARN");
        assertThat(l.names(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_ACCOUNT))
                .isEqualTo("GFP_NOIO|__GFP_ACCOUNT");
        assertThat(l.names(__GFP_DIRECT_RECLAIM | __GFP_ZERO)).isEqualTo("__GFP_ZERO|__GFP_DIRECT_RECLAIM");
        assertThat(l.names(GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN))
                .as("kswapd reclaim alone is GFP_NOWAIT").isEqualTo("GFP_TRANSHUGE|GFP_NOWAIT");
        assertThat(l.names(0)).isEmpty();
    }

    @Test
    void bitsNoEntryNamesArePrintedInHex() {
        assertThat(GfpLayout.V5_11.names(GFP_KERNEL | 0x800000)).isEqualTo("GFP_KERNEL|0x800000");
        assertThat(GfpLayout.V5_11.format(0x800000)).isEqualTo("0x800000(0x800000)");
    }

    @Test
    void bitsAnEraHadNoFlagForAreDroppedAndSaidToBeUnknown() {
        // 0x800000 (__GFP_NOLOCKDEP in 5.x) has no modern constant in Gfp, so no 4.x counterpart.
        assertThat(GfpLayout.V4_8.format(GFP_KERNEL | 0x800000)).isEqualTo("0x24000c0(GFP_KERNEL)");
        assertThat(GfpLayout.V4_18.format(0x800000)).isEqualTo("0x0()");
        assertThat(GfpLayout.V4_18.unknownBits(GFP_KERNEL | 0xff800000)).isEqualTo(0xff800000);
        assertThat(GfpLayout.V4_8.unknownBits(GFP_KERNEL_ACCOUNT | __GFP_WRITE)).isZero();
        assertThat(GfpLayout.V5_11.unknownBits(0xffffffff)).isZero();
    }

    @Test
    void the48TableHasItsOwnNames() {
        assertThat(GfpLayout.V4_8.names(GFP_KERNEL | __GFP_RECLAIMABLE)).isEqualTo("GFP_TEMPORARY");
        assertThat(GfpLayout.V5_11.names(GFP_KERNEL | __GFP_RECLAIMABLE)).isEqualTo("GFP_KERNEL|__GFP_RECLAIMABLE");
        assertThat(GfpLayout.V4_8.names(GFP_KERNEL | __GFP_RETRY_MAYFAIL)).isEqualTo("GFP_KERNEL|__GFP_REPEAT");
    }

    @Test
    void formatPrintsTheEraValueAndNames() {
        assertThat(GfpLayout.V4_8.format(GFP_KERNEL_ACCOUNT)).isEqualTo("0x25000c0(GFP_KERNEL_ACCOUNT)");
        assertThat(GfpLayout.V5_11.format(GFP_KERNEL_ACCOUNT)).isEqualTo("0x400cc0(GFP_KERNEL_ACCOUNT)");
        assertThat(GfpLayout.V4_8.format(GFP_KERNEL | __GFP_COMP)).isEqualTo("0x24040c0(GFP_KERNEL|__GFP_COMP)");
        assertThat(GfpLayout.V5_11.format(GFP_HIGHUSER)).isEqualTo("0x100cc2(GFP_HIGHUSER)");
    }

    @Test
    void helpers() {
        assertThat(Gfp.allowsBlocking(GFP_KERNEL)).isTrue();
        assertThat(Gfp.allowsBlocking(GFP_ATOMIC)).isFalse();
        assertThat(Gfp.has(GFP_KERNEL_ACCOUNT, GFP_KERNEL)).isTrue();
        assertThat(Gfp.has(GFP_KERNEL, GFP_KERNEL_ACCOUNT)).isFalse();
        assertThat(GFP_PGTABLE_USER).isEqualTo(GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT);
    }
}
