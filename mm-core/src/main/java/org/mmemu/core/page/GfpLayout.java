package org.mmemu.core.page;

import static org.mmemu.core.page.Gfp.*;

/**
 * The bit values GFP flags had in an era, for display: {@code mode:0x24000c0(GFP_KERNEL)} in a
 * 4.8 report, {@code mode:0xcc0(GFP_KERNEL)} in a 5.11 one. Internally every path uses
 * {@link Gfp}'s modern values; a layout only translates them and names them the way
 * {@code %pGg} does (composite names first, then the single bits left over).
 */
public enum GfpLayout {
    /** 4.8 through 4.19 (include/linux/gfp.h of 4.8). */
    V4_8(new int[][] {
        {__GFP_DMA, 0x01}, {__GFP_HIGHMEM, 0x02}, {__GFP_DMA32, 0x04}, {__GFP_MOVABLE, 0x08},
        {__GFP_RECLAIMABLE, 0x10}, {__GFP_HIGH, 0x20}, {__GFP_IO, 0x40}, {__GFP_FS, 0x80},
        {__GFP_NOWARN, 0x200}, {__GFP_RETRY_MAYFAIL, 0x400}, {__GFP_NOFAIL, 0x800},
        {__GFP_NORETRY, 0x1000}, {__GFP_MEMALLOC, 0x2000}, {__GFP_COMP, 0x4000},
        {__GFP_ZERO, 0x8000}, {__GFP_NOMEMALLOC, 0x10000}, {__GFP_HARDWALL, 0x20000},
        {__GFP_THISNODE, 0x40000}, {__GFP_ATOMIC, 0x80000}, {__GFP_ACCOUNT, 0x100000},
        {__GFP_DIRECT_RECLAIM, 0x400000}, {__GFP_WRITE, 0x1000000},
        {__GFP_KSWAPD_RECLAIM, 0x2000000},
    }),
    /** 5.11 and later: the values {@link Gfp} uses. */
    V5_11(null);

    private static final String[] COMPOSITE_NAMES = {
        "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER", "GFP_KERNEL_ACCOUNT", "GFP_KERNEL",
        "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT",
    };
    private static final int[] COMPOSITE_VALUES = {
        GFP_HIGHUSER_MOVABLE, GFP_HIGHUSER, GFP_USER, GFP_KERNEL_ACCOUNT, GFP_KERNEL,
        GFP_NOFS, GFP_ATOMIC, GFP_NOIO, GFP_NOWAIT,
    };
    private static final String[] BIT_NAMES = {
        "GFP_DMA", "__GFP_HIGHMEM", "GFP_DMA32", "__GFP_MOVABLE", "__GFP_RECLAIMABLE",
        "__GFP_HIGH", "__GFP_IO", "__GFP_FS", "__GFP_ZERO", "__GFP_ATOMIC",
        "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_WRITE", "__GFP_NOWARN",
        "__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_MEMALLOC", "__GFP_COMP",
        "__GFP_NOMEMALLOC", "__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_ACCOUNT",
    };

    private final int[][] modernToEra;

    GfpLayout(int[][] modernToEra) {
        this.modernToEra = modernToEra;
    }

    /** The era's numeric value of a modern gfp mask. */
    public int toEraValue(int gfp) {
        if (modernToEra == null) {
            return gfp;
        }
        int v = 0;
        for (int[] pair : modernToEra) {
            if ((gfp & pair[0]) != 0) {
                v |= pair[1];
            }
        }
        return v;
    }

    /** {@code %#x(%pGg)}: the era's value and the names, e.g. {@code 0xcc0(GFP_KERNEL)}. */
    public String format(int gfp) {
        return "0x" + Integer.toHexString(toEraValue(gfp)) + "(" + names(gfp) + ")";
    }

    /** {@code %pGg}: composite names first, then the single bits left over. */
    public static String names(int gfp) {
        StringBuilder sb = new StringBuilder();
        int rest = gfp;
        for (int i = 0; i < COMPOSITE_VALUES.length; i++) {
            if ((rest & COMPOSITE_VALUES[i]) == COMPOSITE_VALUES[i]) {
                append(sb, COMPOSITE_NAMES[i]);
                rest &= ~COMPOSITE_VALUES[i];
            }
        }
        for (int bit = 0; bit < BIT_NAMES.length; bit++) {
            if ((rest & (1 << bit)) != 0) {
                append(sb, BIT_NAMES[bit]);
            }
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String name) {
        if (sb.length() > 0) {
            sb.append('|');
        }
        sb.append(name);
    }
}
