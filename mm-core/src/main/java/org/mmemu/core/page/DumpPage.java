package org.mmemu.core.page;

import java.util.Locale;

/**
 * {@code dump_page}: the text the kernel prints about a page (5.10 layout), used in bad-page
 * reports and in every {@code VM_BUG_ON_PAGE} message. The {@code raw:} lines show the
 * emulated words in the kernel's order: flags, lru.next, lru.prev, mapping, index, private,
 * {@code _refcount}:{@code _mapcount} (one x86 little-endian word, so a fresh allocated page
 * shows {@code 00000001ffffffff}), memcg_data.
 */
public final class DumpPage {
    private final MemMap memMap;

    public DumpPage(MemMap memMap) {
        this.memMap = memMap;
    }

    /** The dump of {@code page}, ending with {@code page dumped because: reason} if given. */
    public String dump(Page page, String reason) {
        StringBuilder sb = new StringBuilder();
        Page head = CompoundHead.compoundHead(memMap, page);
        boolean compound = head != page || page.testFlag(PageFlags.PG_head);
        int mapcount = head.testFlag(PageFlags.PG_slab) ? 0 : MapcountWord.pageMapcount(page.mapcountWord());
        sb.append(String.format(Locale.ROOT,
                "page:%016x refcount:%d mapcount:%d mapping:%016x index:0x0 pfn:0x%x%n",
                MemMap.structPageAddress(page), head.refcount(), mapcount,
                page.mapping(), page.pfn()));
        if (compound) {
            sb.append(String.format(Locale.ROOT, "head:%016x order:%d compound_mapcount:%d%n",
                    MemMap.structPageAddress(head), CompoundHead.compoundOrder(memMap, head),
                    CompoundHead.compoundMapcount(memMap, head)));
        }
        sb.append(String.format(Locale.ROOT, "flags: 0x%x(%s)%n", head.flags(),
                PageFlags.describe(head.flags())));
        long lruNext = page.lruNext() & 0xffffffffL;
        long lruPrev = page.lruPrev() & 0xffffffffL;
        // _mapcount sits before _refcount, so the little-endian word has the refcount on top.
        long counts = ((long) page.refcount() << 32) | (page.mapcountWord() & 0xffffffffL);
        sb.append(String.format(Locale.ROOT, "raw: %016x %016x %016x %016x%n",
                page.flags(), lruNext, lruPrev, page.mapping()));
        sb.append(String.format(Locale.ROOT, "raw: %016x %016x %016x %016x%n",
                0L, page.privateWord() & 0xffffffffL, counts, page.memcgData()));
        if (reason != null) {
            sb.append("page dumped because: ").append(reason).append('\n');
        }
        if (page.memcgData() != 0) {
            sb.append(String.format(Locale.ROOT, "page->mem_cgroup:%016x%n", page.memcgData()));
        }
        return sb.toString();
    }
}
