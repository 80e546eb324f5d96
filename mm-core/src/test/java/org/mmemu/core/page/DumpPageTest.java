package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;

/** dump_page text in the 5.10 layout. */
class DumpPageTest {
    private final Machine m = Machine.boot();
    private final DumpPage dump = m.injector.getInstance(DumpPage.class);

    @Test
    void anAllocatedPage() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        p.setFlag(PageFlags.PG_dirty);
        p.setFlag(PageFlags.PG_lru);
        p.setPrivateWord(0x42);
        List<String> lines = dump.dump(p, "testing").lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo(String.format(
                "page:%016x refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x%x",
                0xffffea0000000000L + 64 * p.pfn(), p.pfn()));
        assertThat(lines.get(1)).isEqualTo(String.format("flags: 0x%x(dirty|lru)", p.flags()));
        assertThat(lines.get(2)).startsWith(String.format("raw: %016x ", p.flags()));
        assertThat(lines.get(3)).as("the refcount is the high half of the counts word")
                .isEqualTo("raw: 0000000000000000 0000000000000042 00000001ffffffff 0000000000000000");
        assertThat(lines.get(4)).isEqualTo("page dumped because: testing");
        p.clearFlags(PageFlags.ALL_PAGE_FLAGS);
        p.setPrivateWord(0);
        m.alloc.freePage(p);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aTailPageShowsItsHeadAndTheMemcgSlot() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 2);
        Page tail = m.memMap.page((int) head.pfn() + 3);
        tail.setMemcgData(0xffff8f0000000080L);
        String text = dump.dump(tail, null);
        assertThat(text).contains("refcount:1 ")
                .contains(String.format("head:%016x order:2 compound_mapcount:0%n", MemMap.structPageAddress(head)))
                .contains("flags: 0x" + Long.toHexString(head.flags()) + "(head)")
                .contains("page->mem_cgroup:ffff8f0000000080")
                .doesNotContain("page dumped because");
        tail.setMemcgData(0);
        m.alloc.freePages(head, 2);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aSlabPageShowsMapcountZero() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        p.setFlag(PageFlags.PG_slab);
        p.setMapcountWord(MapcountWord.slubCounters(3, 32, true));
        assertThat(dump.dump(p, null)).contains(" mapcount:0 ").contains("flags: 0x" + Long.toHexString(p.flags()) + "(slab)");
        p.clearFlag(PageFlags.PG_slab);
        p.setMapcountWord(MapcountWord.UNMAPPED);
        m.alloc.freePage(p);
        assertThat(m.leakedPages()).isZero();
    }
}
