package org.mmemu.slab;

import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;

/**
 * Where a slab page keeps SLUB's {@code inuse:16 / objects:15 / frozen:1} counters and how it is
 * marked as slab, era by era (include/linux/mm_types.h, include/linux/page-flags.h):
 *
 * <pre>
 *  policy                   eras        counters                         slab mark
 *  -----------------------  ----------  -------------------------------  -------------------
 *  slablayout.Mapcount48    4.7-4.17    the _mapcount union (SLUB view)  PG_slab
 *  slablayout.Counters418   4.18-6.9    the counters word (private)      PG_slab
 *  slablayout.Typed610      6.10+       the counters word (private)      PGTY_slab page type
 * </pre>
 *
 * The bitfield is the same in both words ({@link MapcountWord#slubCounters}). In the mapcount
 * layout a slab page's {@code _mapcount} never reads as a page type: {@code objects} is at most
 * 32767, so bits 16..30 are never all ones as every typed value needs.
 */
public interface SlabPageLayout {
    /** The name the era table selects. */
    String policyName();

    /** The counters word of slab page {@code page}. */
    int counters(Page page);

    /** Stores the counters word. */
    void setCounters(Page page, int counters);

    /** {@code __SetPageSlab} / {@code __folio_set_slab}. */
    void setSlab(Page page, PageTypes types);

    /** {@code __ClearPageSlab}, resetting the counters' word for the page allocator. */
    void clearSlab(Page page, PageTypes types);

    /** {@code PageSlab}. */
    boolean isSlab(Page page, PageTypes types);

    /** The layouts the kernel has used. */
    enum Eras implements SlabPageLayout {
        /** 4.7 to 4.17: counters share the {@code _mapcount} union. */
        MAPCOUNT_4_8("slablayout.Mapcount48") {
            @Override
            public int counters(Page page) {
                return page.mapcountWord();
            }

            @Override
            public void setCounters(Page page, int counters) {
                page.setMapcountWord(counters);
            }

            @Override
            public void clearSlab(Page page, PageTypes types) {
                page.clearFlag(PageFlags.PG_slab);
                page.setMapcountWord(MapcountWord.UNMAPPED);
            }
        },
        /** 4.18 (Matthew Wilcox's struct page rework) on: the {@code counters} word. */
        COUNTERS_4_18("slablayout.Counters418"),
        /** 6.10 on: PG_slab is gone; a slab is a page type (the latest era's {@code PGTY_slab}). */
        TYPED_6_10("slablayout.Typed610") {
            @Override
            public void setSlab(Page page, PageTypes types) {
                types.set(page, PageType.SLAB);
            }

            @Override
            public void clearSlab(Page page, PageTypes types) {
                types.clear(page, PageType.SLAB);
                page.setPrivateWord(0);
            }

            @Override
            public boolean isSlab(Page page, PageTypes types) {
                return types.has(page, PageType.SLAB);
            }
        };

        private final String policyName;

        Eras(String policyName) {
            this.policyName = policyName;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public int counters(Page page) {
            return page.privateWord();
        }

        @Override
        public void setCounters(Page page, int counters) {
            page.setPrivateWord(counters);
        }

        @Override
        public void setSlab(Page page, PageTypes types) {
            page.setFlag(PageFlags.PG_slab);
        }

        @Override
        public void clearSlab(Page page, PageTypes types) {
            page.clearFlag(PageFlags.PG_slab);
            page.setPrivateWord(0);
        }

        @Override
        public boolean isSlab(Page page, PageTypes types) {
            return page.testFlag(PageFlags.PG_slab);
        }
    }
}
