package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Jiffies;
import org.mmemu.core.sched.Tasks.TaskScope;

/**
 * free_pages_check and bad_page(): a page freed in a state the kernel does not expect is
 * reported with the kernel's reason and text, taints the kernel with 'B', keeps its bad fields
 * (except {@code _mapcount}, reset to -1) and is leaked; nothing else is lost.
 */
class BadPageTest {
    private final Machine m = Machine.boot();

    /** Allocates a page, breaks it with {@code corrupt}, frees it, and returns it. */
    private Page freeCorrupted(Consumer<Page> corrupt) {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        corrupt.accept(p);
        m.refs.putPage(p);
        return p;
    }

    private void assertReportedAndLeaked(Page p, String reason) {
        assertThat(m.badPages.reports()).last().satisfies(r -> {
            assertThat(r.pfn()).isEqualTo(p.pfn());
            assertThat(r.reason()).isEqualTo(reason);
        });
        assertThat(m.alloc.freePfns().get((int) p.pfn())).as("leaked, not freed").isFalse();
        assertThat(p.mapcountWord()).as("page_mapcount_reset").isEqualTo(MapcountWord.UNMAPPED);
        assertThat(m.log.isTainted(KernelLog.TAINT_BAD_PAGE)).isTrue();
        assertThat(m.log.contains("page dumped because: " + reason)).isTrue();
        assertThat(m.leakedPages()).as("every other page accounted for").isZero();
    }

    @Test
    void freeingAMappedPageReportsNonzeroMapcount() {
        Page p = freeCorrupted(page -> page.mapcountAddReturn(1));
        assertReportedAndLeaked(p, "nonzero mapcount");
        assertThat(p.refcount()).isZero();
    }

    @Test
    void freeingATypedPageReportsNonzeroMapcount() {
        Page p = freeCorrupted(page -> m.types.set(page, PageType.TABLE));
        assertReportedAndLeaked(p, "nonzero mapcount");
        assertThat(m.log.contains("mapcount:" + (0xf2000000 + 1))).as("dumped before the reset").isTrue();
    }

    @Test
    void freeingAKmemcgPageOf48WithoutTheUnchargeReportsNonzeroMapcount() {
        Machine m48 = Machine.bootWithPageTypes("pagetype.Value48");
        Page p = m48.alloc.allocPage(GFP_KERNEL);
        m48.types.set(p, PageType.KMEMCG);
        m48.alloc.freePage(p);
        assertThat(m48.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("nonzero mapcount"));
        assertThat(m48.log.contains("mapcount:-511")).isTrue();
        assertThat(m48.leakedPages()).isZero();
    }

    @Test
    void freeingAPageWithAMappingReportsIt() {
        Page p = freeCorrupted(page -> page.setMapping(0xffff888012345000L));
        assertReportedAndLeaked(p, "non-NULL mapping");
        assertThat(p.mapping()).as("bad fields are left for debugging").isEqualTo(0xffff888012345000L);
    }

    @Test
    void anonAndMovableTagsAloneAreClearedNotReported() {
        Page p = freeCorrupted(page -> page.setMapping(FreePageChecks.PAGE_MAPPING_FLAGS));
        assertThat(m.badPages.reports()).isEmpty();
        assertThat(p.mapping()).isZero();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freeingAPageWithCheckedFlagsReportsThem() {
        long[] checked = {PageFlags.PG_lru, PageFlags.PG_locked, PageFlags.PG_private,
            PageFlags.PG_writeback, PageFlags.PG_slab, PageFlags.PG_mlocked};
        for (long bit : checked) {
            Page p = freeCorrupted(page -> page.setFlag((int) bit));
            assertReportedAndLeaked(p, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
            assertThat(p.testFlag((int) bit)).isTrue();
        }
        // Flags outside the mask are simply cleared on the way in.
        Page p = freeCorrupted(page -> {
            page.setFlag(PageFlags.PG_dirty);
            page.setFlag(PageFlags.PG_referenced);
        });
        assertThat(m.badPages.reports()).hasSize(checked.length);
        assertThat(p.pageFlags()).isZero();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freeingAChargedPageReportsStillCharged() {
        Page p = freeCorrupted(page -> page.setMemcgData(0xffff8f0000000040L | 2));
        assertReportedAndLeaked(p, "page still charged to cgroup");
        assertThat(m.log.contains("page->mem_cgroup:ffff8f0000000042")).isTrue();
    }

    @Test
    void theLastFailingReasonWins() {
        Page a = freeCorrupted(page -> {
            page.mapcountAddReturn(1);
            page.setMapping(0x1000);
        });
        assertReportedAndLeaked(a, "non-NULL mapping");
        Page b = freeCorrupted(page -> {
            page.mapcountAddReturn(1);
            page.setFlag(PageFlags.PG_lru);
        });
        assertReportedAndLeaked(b, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
        Page c = freeCorrupted(page -> {
            page.mapcountAddReturn(2);
            page.setMapping(0x1000);
            page.setFlag(PageFlags.PG_lru);
            page.setMemcgData(0x40);
        });
        assertReportedAndLeaked(c, "page still charged to cgroup");
        assertThat(m.badPages.reports()).hasSize(3);
    }

    @Test
    void badPagesOfABatchDoNotStopTheOthers() {
        Page good1 = m.alloc.allocPage(GFP_KERNEL);
        Page bad = m.alloc.allocPage(GFP_KERNEL);
        Page good2 = m.alloc.allocPage(GFP_KERNEL);
        bad.setMapping(0x2000);
        m.refs.releasePages(List.of(good1, bad, good2));
        BitSet free = m.alloc.freePfns();
        assertThat(free.get((int) good1.pfn())).isTrue();
        assertThat(free.get((int) good2.pfn())).isTrue();
        assertReportedAndLeaked(bad, "non-NULL mapping");
    }

    @Test
    void theReportHasTheKernelsText() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        p.mapcountAddReturn(1);
        try (TaskScope ignored = m.tasks.enter(m.tasks.create("bash", null))) {
            m.refs.putPage(p);
        }
        List<String> lines = m.log.lines();
        assertThat(lines.get(0)).isEqualTo(String.format("BUG: Bad page state in process bash  pfn:%05x", p.pfn()));
        assertThat(lines.get(1)).isEqualTo(String.format(
                "page:%016x refcount:0 mapcount:1 mapping:0000000000000000 index:0x0 pfn:0x%x",
                MemMap.structPageAddress(p), p.pfn()));
        assertThat(lines.get(2)).isEqualTo(String.format("flags: 0x%x()", p.flags()));
        assertThat(lines.get(3)).startsWith("raw: ");
        assertThat(lines.get(4)).as("index, private, refcount:_mapcount 0:0, memcg_data")
                .isEqualTo("raw: 0000000000000000 0000000000000000 0000000000000000 0000000000000000");
        assertThat(lines.get(5)).isEqualTo("page dumped because: nonzero mapcount");
        assertThat(lines.get(6)).isEqualTo("Disabling lock debugging due to kernel taint");
        assertThat(m.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.comm()).isEqualTo("bash"));

        freeCorrupted(page -> page.mapcountAddReturn(1));
        assertThat(m.log.lines().stream().filter(l -> l.startsWith("Disabling lock debugging")))
                .as("only on the first taint").hasSize(1);
        assertThat(m.log.lines().get(7)).startsWith("BUG: Bad page state in process swapper/");
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void afterABurstOf60ReportsTheRestOfTheMinuteIsSuppressed() {
        for (int i = 0; i < 70; i++) {
            m.jiffies.advance(100);
            freeCorrupted(page -> page.setMapping(0x3000));
        }
        List<BadPageReport> reports = m.badPages.reports();
        assertThat(reports).hasSize(70);
        assertThat(reports.subList(0, 60)).allSatisfy(r -> assertThat(r.suppressed()).isFalse());
        assertThat(reports.subList(60, 70)).allSatisfy(r -> assertThat(r.suppressed()).isTrue());
        assertThat(m.log.lines().stream().filter(l -> l.startsWith("BUG: Bad page state in process")))
                .hasSize(60);

        // The minute began with the first report (jiffies 100); at 100 + 60 * HZ it is over.
        m.jiffies.advance(100 + 60L * Jiffies.HZ - m.jiffies.now());
        freeCorrupted(page -> page.setMapping(0x3000));
        List<String> lines = m.log.lines();
        int summary = lines.indexOf("BUG: Bad page state: 10 messages suppressed");
        assertThat(summary).isPositive();
        assertThat(lines.get(summary + 1)).startsWith("BUG: Bad page state in process");
        assertThat(m.badPages.reports()).last().satisfies(r -> assertThat(r.suppressed()).isFalse());
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aCorruptedFreePageIsReportedWhenAllocatedAndSkipped() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(p);  // at the head of this CPU's list
        p.setMapping(0x4000);
        Page q = m.alloc.allocPage(GFP_KERNEL);
        assertThat(q).isNotSameAs(p);
        assertThat(m.badPages.reports()).singleElement().satisfies(r -> {
            assertThat(r.pfn()).isEqualTo(p.pfn());
            assertThat(r.reason()).isEqualTo("non-NULL mapping");
        });

        Page r = m.alloc.allocPages(GFP_KERNEL, 2);
        m.alloc.freePages(r, 2);
        r.setFlag(PageFlags.PG_dirty);
        Page s = m.alloc.allocPages(GFP_KERNEL, 2);
        assertThat(s).isNotSameAs(r);
        assertThat(m.badPages.reports()).last().satisfies(rep -> {
            assertThat(rep.pfn()).isEqualTo(r.pfn());
            assertThat(rep.reason()).isEqualTo("PAGE_FLAGS_CHECK_AT_PREP flag(s) set");
        });
        m.alloc.freePage(q);
        m.alloc.freePages(s, 2);
        // The block whose first page was bad is dropped whole, as check_new_pages does.
        assertThat(m.badPages.leakedBlocks()).containsExactly(new BadPageReporter.LeakedBlock(r.pfn(), 2));
        assertThat(m.alloc.freePfns().get((int) r.pfn(), (int) r.pfn() + 4).isEmpty()).isTrue();
        assertThat(m.leakedPages()).isZero();
    }
}
