package org.mmemu.core.page;

/**
 * The PG_* bits of {@code page->flags} (include/linux/page-flags.h, numbered as in 5.10) and the
 * masks the allocator checks. Only the bits some emulated path uses are given meaning; the rest
 * of the 30 low bits stay clear.
 */
public final class PageFlags {
    public static final int PG_locked = 0;
    public static final int PG_referenced = 1;
    public static final int PG_uptodate = 2;
    public static final int PG_dirty = 3;
    public static final int PG_lru = 4;
    public static final int PG_active = 5;
    public static final int PG_workingset = 6;
    public static final int PG_waiters = 7;
    public static final int PG_error = 8;
    public static final int PG_slab = 9;
    public static final int PG_owner_priv_1 = 10;
    public static final int PG_arch_1 = 11;
    public static final int PG_reserved = 12;
    public static final int PG_private = 13;
    public static final int PG_private_2 = 14;
    public static final int PG_writeback = 15;
    public static final int PG_head = 16;
    public static final int PG_mappedtodisk = 17;
    public static final int PG_reclaim = 18;
    public static final int PG_swapbacked = 19;
    public static final int PG_unevictable = 20;
    public static final int PG_mlocked = 21;
    /** One past the last PG_* bit ({@code NR_PAGEFLAGS}). */
    public static final int NR_PAGEFLAGS = 22;

    /** Every PG_* bit: the low part of the flags word. */
    public static final long ALL_PAGE_FLAGS = (1L << NR_PAGEFLAGS) - 1;

    /** Flags a page must not carry when it is freed ({@code PAGE_FLAGS_CHECK_AT_FREE}). */
    public static final long PAGE_FLAGS_CHECK_AT_FREE = 1L << PG_lru | 1L << PG_locked
            | 1L << PG_private | 1L << PG_private_2 | 1L << PG_writeback | 1L << PG_reserved
            | 1L << PG_slab | 1L << PG_active | 1L << PG_unevictable | 1L << PG_mlocked;

    /** Flags a page must not carry when it leaves the allocator ({@code PAGE_FLAGS_CHECK_AT_PREP}). */
    public static final long PAGE_FLAGS_CHECK_AT_PREP = ALL_PAGE_FLAGS;

    private static final String[] NAMES = {
        "locked", "referenced", "uptodate", "dirty", "lru", "active", "workingset", "waiters",
        "error", "slab", "owner_priv_1", "arch_1", "reserved", "private", "private_2",
        "writeback", "head", "mappedtodisk", "reclaim", "swapbacked", "unevictable", "mlocked",
    };

    private PageFlags() {
    }

    /** The bit's kernel name without the {@code PG_} prefix, as {@code %pGp} prints it. */
    public static String name(int bit) {
        return NAMES[bit];
    }

    /** {@code %pGp}: the set PG_* bits by name, joined with {@code |}. */
    public static String describe(long flags) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < NR_PAGEFLAGS; bit++) {
            if ((flags & (1L << bit)) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(NAMES[bit]);
            }
        }
        return sb.toString();
    }
}
