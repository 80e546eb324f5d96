package org.mmemu.core.page;

import static org.mmemu.core.page.Gfp.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/**
 * The bit values and names GFP flags had in an era, for display: {@code mode:0x24000c0(GFP_KERNEL)}
 * in a 4.8 report, {@code mode:0xcc0(GFP_KERNEL)} in a 5.11 one. Internally every path uses
 * {@link Gfp}'s modern values; a layout only translates them and names them the way
 * {@code %pGg} does: it walks the era's {@code __def_gfpflag_names} table in order, printing
 * each entry whose bits are all still set and removing them, then prints what no entry named as
 * hex ({@code format_flags}, lib/vsprintf.c).
 */
public enum GfpLayout {
    /**
     * 4.7 and 4.8 (include/linux/gfp.h of 4.7-rc3 and 4.8, include/trace/events/mmflags.h of
     * 4.8, whose table 4.7 lacks only {@code GFP_TRANSHUGE_LIGHT} in): {@code GFP_KERNEL_ACCOUNT}
     * is 0x25000c0.
     */
    V4_8(Tables.VALUES_4_8, Tables.NAMES_4_8),
    /**
     * 4.18 and 4.19 (the same files of both): __GFP_COLD, __GFP_NOTRACK and __GFP_OTHER_NODE
     * are gone and the reclaim and write bits renumbered, so {@code GFP_KERNEL_ACCOUNT} is
     * 0x7000c0; the names are 5.11's, in the same order.
     */
    V4_18(Tables.VALUES_4_18, Tables.NAMES_5_11),
    /** 5.9 and later: the values {@link Gfp} uses (tables of 5.9, 5.10 and 5.11). */
    V5_11(null, Tables.NAMES_5_11);

    private final int[][] modernToEra;
    private final FlagName[] flagNames;

    GfpLayout(int[][] modernToEra, FlagName[] flagNames) {
        this.modernToEra = modernToEra;
        this.flagNames = flagNames;
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

    /**
     * {@code %pGg} in this era: e.g. {@code GFP_KERNEL|__GFP_COMP|__GFP_ZERO}. Bits the era's
     * table does not name are printed as the era's hex value; an empty mask prints nothing, and
     * so do bits the era had no flag for ({@link #unknownBits}).
     */
    public String names(int gfp) {
        StringJoiner names = new StringJoiner("|");
        int rest = gfp;
        for (int i = 0; rest != 0 && i < flagNames.length; i++) {
            int mask = flagNames[i].mask();
            if ((rest & mask) == mask) {
                names.add(flagNames[i].name());
                rest &= ~mask;
            }
        }
        int eraRest = toEraValue(rest);
        if (eraRest != 0) {
            names.add("0x" + Integer.toHexString(eraRest));
        }
        return names.toString();
    }

    /**
     * The bits of a modern mask that this era had no flag for, and that {@link #toEraValue}
     * therefore drops (none for the modern values themselves).
     */
    public int unknownBits(int gfp) {
        if (modernToEra == null) {
            return 0;
        }
        int known = 0;
        for (int[] pair : modernToEra) {
            known |= pair[0];
        }
        return gfp & ~known;
    }

    /** One {@code __def_gfpflag_names} entry, its mask in modern values. */
    private record FlagName(String name, int mask) {
    }

    /** The era tables, in {@code __def_gfpflag_names} order (composites first). */
    private static final class Tables {
        /** The bits 4.8 and 4.18 number alike, from __GFP_DMA up to __GFP_ACCOUNT. */
        private static final int[][] VALUES_4_X = {
            {__GFP_DMA, 0x01}, {__GFP_HIGHMEM, 0x02}, {__GFP_DMA32, 0x04}, {__GFP_MOVABLE, 0x08},
            {__GFP_RECLAIMABLE, 0x10}, {__GFP_HIGH, 0x20}, {__GFP_IO, 0x40}, {__GFP_FS, 0x80},
            {__GFP_NOWARN, 0x200}, {__GFP_RETRY_MAYFAIL, 0x400}, {__GFP_NOFAIL, 0x800},
            {__GFP_NORETRY, 0x1000}, {__GFP_MEMALLOC, 0x2000}, {__GFP_COMP, 0x4000},
            {__GFP_ZERO, 0x8000}, {__GFP_NOMEMALLOC, 0x10000}, {__GFP_HARDWALL, 0x20000},
            {__GFP_THISNODE, 0x40000}, {__GFP_ATOMIC, 0x80000}, {__GFP_ACCOUNT, 0x100000},
        };

        /** 4.8: direct reclaim above __GFP_NOTRACK, write and kswapd reclaim at the top. */
        static final int[][] VALUES_4_8 = with(VALUES_4_X, new int[][] {
            {__GFP_DIRECT_RECLAIM, 0x400000}, {__GFP_WRITE, 0x1000000},
            {__GFP_KSWAPD_RECLAIM, 0x2000000},
        });

        /** 4.18: write takes __GFP_COLD's 0x100, the reclaim bits follow __GFP_ACCOUNT. */
        static final int[][] VALUES_4_18 = with(VALUES_4_X, new int[][] {
            {__GFP_WRITE, 0x100}, {__GFP_DIRECT_RECLAIM, 0x200000},
            {__GFP_KSWAPD_RECLAIM, 0x400000},
        });

        static final int GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP
                | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
        static final int GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;
        /** 4.8 only: {@code GFP_KERNEL | __GFP_RECLAIMABLE}. */
        static final int GFP_TEMPORARY = GFP_KERNEL | __GFP_RECLAIMABLE;

        static final FlagName[] NAMES_5_11 = {
            n("GFP_TRANSHUGE", GFP_TRANSHUGE), n("GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT),
            n("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE), n("GFP_HIGHUSER", GFP_HIGHUSER),
            n("GFP_USER", GFP_USER), n("GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT),
            n("GFP_KERNEL", GFP_KERNEL), n("GFP_NOFS", GFP_NOFS), n("GFP_ATOMIC", GFP_ATOMIC),
            n("GFP_NOIO", GFP_NOIO), n("GFP_NOWAIT", GFP_NOWAIT), n("GFP_DMA", GFP_DMA),
            n("__GFP_HIGHMEM", __GFP_HIGHMEM), n("GFP_DMA32", GFP_DMA32),
            n("__GFP_HIGH", __GFP_HIGH), n("__GFP_ATOMIC", __GFP_ATOMIC), n("__GFP_IO", __GFP_IO),
            n("__GFP_FS", __GFP_FS), n("__GFP_NOWARN", __GFP_NOWARN),
            n("__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL), n("__GFP_NOFAIL", __GFP_NOFAIL),
            n("__GFP_NORETRY", __GFP_NORETRY), n("__GFP_COMP", __GFP_COMP),
            n("__GFP_ZERO", __GFP_ZERO), n("__GFP_NOMEMALLOC", __GFP_NOMEMALLOC),
            n("__GFP_MEMALLOC", __GFP_MEMALLOC), n("__GFP_HARDWALL", __GFP_HARDWALL),
            n("__GFP_THISNODE", __GFP_THISNODE), n("__GFP_RECLAIMABLE", __GFP_RECLAIMABLE),
            n("__GFP_MOVABLE", __GFP_MOVABLE), n("__GFP_ACCOUNT", __GFP_ACCOUNT),
            n("__GFP_WRITE", __GFP_WRITE), n("__GFP_RECLAIM", __GFP_RECLAIM),
            n("__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM),
            n("__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM),
        };

        // 4.8 adds GFP_TEMPORARY and calls the 0x400 bit __GFP_REPEAT; its __GFP_COLD,
        // __GFP_NOTRACK and __GFP_OTHER_NODE have no modern bit to come from.
        static final FlagName[] NAMES_4_8 = names48();

        private static FlagName[] names48() {
            List<FlagName> names = new ArrayList<>();
            for (FlagName f : NAMES_5_11) {
                if (f.name().equals("GFP_KERNEL_ACCOUNT")) {
                    names.add(n("GFP_TEMPORARY", GFP_TEMPORARY));
                }
                names.add(f.name().equals("__GFP_RETRY_MAYFAIL") ? n("__GFP_REPEAT", f.mask()) : f);
            }
            return names.toArray(new FlagName[0]);
        }

        private static int[][] with(int[][] common, int[][] own) {
            int[][] all = Arrays.copyOf(common, common.length + own.length);
            System.arraycopy(own, 0, all, common.length, own.length);
            return all;
        }

        private static FlagName n(String name, int mask) {
            return new FlagName(name, mask);
        }

        private Tables() {
        }
    }
}
