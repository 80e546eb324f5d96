package org.mmemu.s390;

import org.mmemu.core.page.Gfp;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;

/**
 * How s390 lays its PTE tables into pages, and where it keeps which 2K half of a page is in use:
 * a policy chosen per era (arch/s390/mm/pgalloc.c).
 *
 * <pre>
 *  policy                  eras       PTE table    fragment bits FB = PP &lt;&lt; 4 | AA
 *  s390layout.Mapcount48   4.x-4.17   2K half      the whole _mapcount word: atomic_set(1 or 3)
 *                                                  on a fresh page, XORed after, -1 before free
 *  s390layout.Refcount418  4.18-6.7   2K half      the top byte of _refcount: FB &lt;&lt; 24 XORed in
 *                                                  and out around the allocation's reference
 *  s390layout.WholePage68  6.8-       whole page   none (the upper 2K hold PGSTEs or zeroes)
 *
 *  AA (bits 0, 1): the lower / upper half is allocated
 *  PP (bits 4, 5): the lower / upper half waits for an RCU grace period (page_table_free_rcu)
 * </pre>
 *
 * Commit 620b4e903179 ("s390: use _refcount for pgtables", 4.18) moved the bits out of
 * {@code _mapcount} so that {@code PageTable} could become a page type there. From 6.8
 * ({@code pagetable_alloc} and the ptdesc conversion) every page table is a page of its own and
 * CRST tables are compound pages.
 */
public interface FragmentLayout {
    /** The policy's dotted name. */
    String policyName();

    /** Whether a PTE table is one 2K half of a shared 4K page; false: it has a page of its own. */
    boolean sharesPages();

    /** Whether the bits overwrite {@code _mapcount} (and so any page type stored there). */
    boolean bitsInMapcount();

    /** The name of the word the bits live in, for reports. */
    String word();

    /** The page's fragment bits ({@code PP << 4 | AA}). */
    int bits(Page page);

    /** {@code atomic_xor_bits} on the word that holds the bits; returns the new bits. */
    int xorBits(Page page, int bits);

    /** Puts the first bits on a fresh table page (1: the lower half; 3: a whole pgste table). */
    void initBits(Page page, int bits);

    /** What {@code page_table_free} does to the word before {@code __free_page}. */
    void resetWord(Page page);

    /** The references the page holds, fragment bits left out ({@code page_ref_count} for them). */
    int references(Page page);

    /** Flags {@code pagetable_alloc} adds to every allocation (6.8: {@code __GFP_COMP}). */
    int allocFlags();

    /** The layouts the kernel has had. */
    enum Eras implements FragmentLayout {
        /** 4.x to 4.17: the bits are the whole {@code _mapcount} word. */
        MAPCOUNT_4_8("s390layout.Mapcount48") {
            @Override
            public int bits(Page page) {
                // page_table_alloc reads the whole word; nothing else lives in it while it is a table.
                return page.mapcountWord();
            }

            @Override
            public int xorBits(Page page, int bits) {
                return page.mapcountXorReturn(bits);
            }

            @Override
            public void initBits(Page page, int bits) {
                // atomic_set: whatever the word held before is gone.
                page.setMapcountWord(bits);
            }

            @Override
            public void resetWord(Page page) {
                page.setMapcountWord(MapcountWord.UNMAPPED);
            }

            @Override
            public int references(Page page) {
                return page.refcount();
            }
        },
        /** 4.18 to 6.7: the bits are the top byte of {@code _refcount}. */
        REFCOUNT_4_18("s390layout.Refcount418") {
            @Override
            public int bits(Page page) {
                return page.refcount() >>> REFCOUNT_SHIFT;
            }

            @Override
            public int xorBits(Page page, int bits) {
                return page.refcountXorReturn(bits << REFCOUNT_SHIFT) >>> REFCOUNT_SHIFT;
            }

            @Override
            public void initBits(Page page, int bits) {
                xorBits(page, bits);
            }

            @Override
            public void resetWord(Page page) {
                // The XORs have cleared the top byte already; the allocation's reference is left.
            }

            @Override
            public int references(Page page) {
                return page.refcount() & REFERENCE_MASK;
            }
        },
        /** 6.8 and later: a whole page per PTE table, no fragment bits, compound CRST tables. */
        WHOLE_PAGE_6_8("s390layout.WholePage68") {
            @Override
            public int bits(Page page) {
                throw noBits();
            }

            @Override
            public int xorBits(Page page, int bits) {
                throw noBits();
            }

            @Override
            public void initBits(Page page, int bits) {
                throw noBits();
            }

            @Override
            public void resetWord(Page page) {
                throw noBits();
            }

            @Override
            public int references(Page page) {
                return page.refcount();
            }

            private IllegalStateException noBits() {
                return new IllegalStateException(policyName() + " keeps no fragment bits");
            }
        };

        /** Where the bits start in {@code _refcount} (4.18+). */
        static final int REFCOUNT_SHIFT = 24;
        /** The part of {@code _refcount} below the bits. */
        static final int REFERENCE_MASK = (1 << REFCOUNT_SHIFT) - 1;

        private final String policyName;

        Eras(String policyName) {
            this.policyName = policyName;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public boolean sharesPages() {
            return this != WHOLE_PAGE_6_8;
        }

        @Override
        public boolean bitsInMapcount() {
            return this == MAPCOUNT_4_8;
        }

        @Override
        public String word() {
            switch (this) {
                case MAPCOUNT_4_8:
                    return "_mapcount";
                case REFCOUNT_4_18:
                    return "the top byte of _refcount";
                default:
                    return "no word";
            }
        }

        @Override
        public int allocFlags() {
            return this == WHOLE_PAGE_6_8 ? Gfp.__GFP_COMP : 0;
        }
    }
}
