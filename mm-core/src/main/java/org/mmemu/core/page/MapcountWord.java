package org.mmemu.core.page;

import java.util.EnumSet;
import java.util.Set;

/**
 * The registry of every meaning of the {@code _mapcount} word, side by side, so that no two
 * tenants can be given colliding values without a test noticing.
 *
 * <h2>Tenants</h2>
 * <pre>
 *  tenant              eras        encoding of the 32-bit word
 *  ------------------  ----------  -------------------------------------------------------------
 *  mapcount            all         -1 = not mapped; page_mapcount() = word + 1
 *  page types          4.6-4.17    one VALUE at a time, set only from -1 (-128, -256, -512)
 *                      4.18-6.12   BITS: top nibble 0xf (PAGE_TYPE_BASE); a type is a CLEARED bit
 *                                  below it; several may coexist; page_has_type (not in 4.19,
 *                                  in 5.9) = word &lt; -128
 *                      6.13+       TOP BYTE: type &lt;&lt; 24, one at a time, set only from -1 (or
 *                                  again on the same type: a no-op); clearing an untyped
 *                                  word is a no-op
 *  SLUB counters       until 4.17  inuse:16 | objects:15 | frozen:1 (bit 31)
 *  s390 fragment bits  until 4.17  bits 0/1: 2K half allocated; bits 4/5: half pending RCU free
 * </pre>
 *
 * <h2>Bit encoding (4.18 to 5.10, shown with 4.19's types)</h2>
 * <pre>
 *  31   28 27                    12 11   10    9     8     7    6      0
 *  +------+------------------------+-----+-----+-----+-----+----+--------+
 *  | 1111 |        all ones        |guard|table|kmemc|ballo|budd| 1111111|  -1 = no type
 *  +------+------------------------+-----+-----+-----+-----+----+--------+
 *  PageKmemcg alone: 0xfffffdff (-513). The low 7 bits are reserved so that a mapcount that
 *  underflows is not mistaken for a type.
 * </pre>
 *
 * <h2>Collisions the kernel lived with</h2>
 * A mapcount increment on a typed word ({@code vm_insert_page} of a typed page before 5.1)
 * turns -512 into -511 (value encoding: the type is lost while mapped) and 0xfffffdff into
 * 0xfffffe00 (bit encoding: kmemcg cleared, buddy and balloon set). The SLUB and s390 views write
 * the whole word and so erase any type. The tests of this class prove each of these facts.
 */
public final class MapcountWord {
    /** The word of a page that is neither mapped nor typed. */
    public static final int UNMAPPED = -1;

    /** {@code PAGE_TYPE_BASE}: the top nibble every bit-encoded typed word keeps set. */
    public static final int PAGE_TYPE_BASE = 0xf0000000;

    /** {@code PAGE_MAPCOUNT_RESERVE}: words below it hold a type (bit encoding). */
    public static final int PAGE_MAPCOUNT_RESERVE = -128;

    /** The 6.13 {@code PGTY_mapcount_underflow} top byte. */
    public static final int PGTY_MAPCOUNT_UNDERFLOW = 0xff;

    /** SLUB view: {@code inuse} occupies bits 0..15. */
    public static final int SLUB_INUSE_MASK = 0xffff;
    /** SLUB view: {@code objects} occupies bits 16..30. */
    public static final int SLUB_OBJECTS_SHIFT = 16;
    public static final int SLUB_OBJECTS_MASK = 0x7fff;
    /** SLUB view: {@code frozen} is bit 31. */
    public static final int SLUB_FROZEN_BIT = 31;

    /** s390 view (until 4.17): bits 0 and 1 say which 2K half is allocated. */
    public static final int S390_ALLOCATED_MASK = 0x03;
    /** s390 view: bits 4 and 5 say which half waits for an RCU free. */
    public static final int S390_PENDING_MASK = 0x30;
    /** s390 view: the shift from an allocated bit to its pending bit. */
    public static final int S390_PENDING_SHIFT = 4;

    private MapcountWord() {
    }

    /** {@code page_mapcount} of a small page: the word plus one. */
    public static int pageMapcount(int word) {
        return word + 1;
    }

    /**
     * 6.13 {@code page_type_has_type}: true for a word below {@code PGTY_mapcount_underflow << 24},
     * which covers every type byte 0xf0..0xf7 and the bytes 0x80..0xef reserved for mapcount
     * overflow.
     */
    public static boolean pageTypeHasType(int pageType) {
        return pageType < PGTY_MAPCOUNT_UNDERFLOW << 24;
    }

    // ---- SLUB counters view --------------------------------------------------------------

    /** Packs SLUB's {@code inuse/objects/frozen} bitfield as it overlays the word before 4.18. */
    public static int slubCounters(int inuse, int objects, boolean frozen) {
        if (inuse < 0 || inuse > SLUB_INUSE_MASK || objects < 0 || objects > SLUB_OBJECTS_MASK) {
            throw new IllegalArgumentException("inuse " + inuse + " or objects " + objects
                    + " does not fit the SLUB bitfield");
        }
        return inuse | objects << SLUB_OBJECTS_SHIFT | (frozen ? 1 << SLUB_FROZEN_BIT : 0);
    }

    public static int slubInuse(int word) {
        return word & SLUB_INUSE_MASK;
    }

    public static int slubObjects(int word) {
        return (word >>> SLUB_OBJECTS_SHIFT) & SLUB_OBJECTS_MASK;
    }

    public static boolean slubFrozen(int word) {
        return (word >>> SLUB_FROZEN_BIT) != 0;
    }

    // ---- s390 fragment view --------------------------------------------------------------

    /**
     * The mask {@code page_table_alloc} looks at: allocated and pending bits folded onto
     * bits 0..1, so a half that is either in use or waiting for RCU reads as taken.
     */
    public static int s390FoldedMask(int word) {
        return (word | word >>> S390_PENDING_SHIFT) & S390_ALLOCATED_MASK;
    }

    /** How the encoding stores types. */
    enum Kind {
        /** One value at a time, equal to a negative constant. */
        VALUE,
        /** Cleared bits under {@link #PAGE_TYPE_BASE}. */
        BITS,
        /** {@code type << 24}. */
        TOP_BYTE
    }

    /**
     * The page-type encodings the kernel has used, with every type's value side by side.
     * A zero means the era has no such type.
     */
    public enum Encoding implements PageTypeEncoding {
        //                                       buddy  balloon offline kmemcg table  guard  hugetlb slab  zsmalloc unaccepted
        /** 4.6 and 4.7: Buddy and Balloon open-coded; no Kmemcg yet. */
        VALUE_4_6("pagetype.Value46", Kind.VALUE, -128, -256,   0,      0,     0,     0,     0,     0,    0,     0),
        /** 4.8 to 4.17: PAGE_MAPCOUNT_OPS values; PageKmemcg = -512. */
        VALUE_4_8("pagetype.Value48", Kind.VALUE, -128, -256,   0,      -512,  0,     0,     0,     0,    0,     0),
        /** 4.18 and 4.19: cleared bits under PAGE_TYPE_BASE. */
        BITS_4_18("pagetype.Bits418", Kind.BITS,  0x80, 0x100,  0,      0x200, 0x400, 0,     0,     0,    0,     0),
        /** 5.0 to 5.10: Offline replaces Balloon; Guard added. */
        BITS_5_0("pagetype.Bits50",   Kind.BITS,  0x80, 0,      0x100,  0x200, 0x400, 0x800, 0,     0,    0,     0),
        /** 5.11 to 6.12: Kmemcg moved to memcg_data; bits renumbered. */
        BITS_5_11("pagetype.Bits511", Kind.BITS,  0x80, 0,      0x100,  0,     0x200, 0x400, 0,     0,    0,     0),
        /** 6.13: {@code enum pagetype} in the top byte; Slab is a type. */
        TOP_BYTE_6_13("pagetype.TopByte613", Kind.TOP_BYTE,
                                                  0xf0, 0,      0xf1,   0,     0xf2,  0xf3,  0xf4,  0xf5, 0xf6,  0xf7);

        private final String policyName;
        private final Kind kind;
        private final int[] values = new int[PageType.values().length];

        @SuppressWarnings("checkstyle:ParameterNumber")
        Encoding(String policyName, Kind kind, int buddy, int balloon, int offline, int kmemcg,
                 int table, int guard, int hugetlb, int slab, int zsmalloc, int unaccepted) {
            this.policyName = policyName;
            this.kind = kind;
            values[PageType.BUDDY.ordinal()] = buddy;
            values[PageType.BALLOON.ordinal()] = balloon;
            values[PageType.OFFLINE.ordinal()] = offline;
            values[PageType.KMEMCG.ordinal()] = kmemcg;
            values[PageType.TABLE.ordinal()] = table;
            values[PageType.GUARD.ordinal()] = guard;
            values[PageType.HUGETLB.ordinal()] = hugetlb;
            values[PageType.SLAB.ordinal()] = slab;
            values[PageType.ZSMALLOC.ordinal()] = zsmalloc;
            values[PageType.UNACCEPTED.ordinal()] = unaccepted;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public boolean supports(PageType type) {
            return values[type.ordinal()] != 0;
        }

        @Override
        public int rawValue(PageType type) {
            return values[type.ordinal()];
        }

        @Override
        public boolean hasType(int word, PageType type) {
            int v = values[type.ordinal()];
            if (v == 0) {
                return false;
            }
            switch (kind) {
                case VALUE:
                    return word == v;
                case BITS:
                    return (word & (PAGE_TYPE_BASE | v)) == PAGE_TYPE_BASE;
                default:
                    return word >>> 24 == v;
            }
        }

        @Override
        public boolean canSet(int word, PageType type) {
            if (!supports(type)) {
                return false;
            }
            switch (kind) {
                case VALUE:
                    return word == UNMAPPED;
                case BITS:
                    // PageType(page, 0): the top nibble intact, whatever other types are set.
                    return (word & PAGE_TYPE_BASE) == PAGE_TYPE_BASE;
                default:
                    return word == UNMAPPED || hasType(word, type);
            }
        }

        @Override
        public int set(int word, PageType type) {
            int v = values[type.ordinal()];
            switch (kind) {
                case VALUE:
                    return v;
                case BITS:
                    return word & ~v;
                default:
                    // 6.13 __SetPageX returns early on a page that already has the type, so
                    // whatever its owner keeps in the low bits survives.
                    return hasType(word, type) ? word : v << 24;
            }
        }

        @Override
        public boolean canClear(int word, PageType type) {
            // 6.13 __ClearPageX returns early on an untyped page (page_type == UINT_MAX).
            return hasType(word, type) || (kind == Kind.TOP_BYTE && word == UNMAPPED);
        }

        @Override
        public int clear(int word, PageType type) {
            return kind == Kind.BITS ? word | values[type.ordinal()] : UNMAPPED;
        }

        @Override
        public boolean pageHasType(int word) {
            switch (kind) {
                case VALUE:
                    for (int v : values) {
                        if (v != 0 && word == v) {
                            return true;
                        }
                    }
                    return false;
                case BITS:
                    return word < PAGE_MAPCOUNT_RESERVE;
                default:
                    // 6.13 page_has_type hands the word to page_mapcount_is_type, which takes
                    // "mapcount + 1" and so subtracts one (wrapping) before the comparison.
                    return pageTypeHasType(word - 1);
            }
        }

        @Override
        public boolean kernelHasPageHasType() {
            switch (this) {
                case VALUE_4_6:
                case VALUE_4_8:
                case BITS_4_18:
                    return false;
                default:
                    return true;
            }
        }

        @Override
        public Set<PageType> typesOf(int word) {
            Set<PageType> types = EnumSet.noneOf(PageType.class);
            for (PageType t : PageType.values()) {
                if (hasType(word, t)) {
                    types.add(t);
                }
            }
            return types;
        }
    }
}
