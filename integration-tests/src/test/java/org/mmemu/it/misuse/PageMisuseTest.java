package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.it.misuse.Misuses.assertBug;

import java.util.function.Consumer;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.it.fixture.ChargedPages;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;

/** Misuses of the page allocator and of page references. */
class PageMisuseTest {
    /** {@code misuse} of a page already freed hits the BUG {@code condition}; the page stays free. */
    private static void assertBugOnAFreedPage(Kernel k, String condition, Consumer<Page> misuse) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        alloc.freePage(page);
        w.mark();

        assertBug(condition, () -> misuse.accept(page));

        assertThat(page.refcount()).isZero();
        w.assertUnchangedAndRelease();
    }

    /**
     * A page left in use ({@code inUse}) then freed: a bad-page report with {@code reason}, and
     * the page is leaked rather than freed.
     */
    private static void assertBadPageOnFree(Kernel k, String reason, Consumer<Page> inUse) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        inUse.accept(page);
        k.expectBadPage(page, reason);
        w.mark();

        alloc.freePage(page);

        assertThat(k.log().dmesg()).contains("BUG: Bad page state", reason);
        w.assertUnchangedAndRelease();
    }

    /** {@code __free_pages} of a page already freed: {@code VM_BUG_ON_PAGE(page_ref_count(page) == 0)}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void doubleFreeIsABug(Kernel k) {
        assertBugOnAFreedPage(k, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)",
                page -> k.get(PageAllocator.class).freePage(page));
    }

    /** {@code put_page} past zero: the same BUG. */
    @Eras(value = Era.LATEST, memory = "64M")
    void putPagePastZeroIsABug(Kernel k) {
        assertBugOnAFreedPage(k, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)", k.get(PageRefs.class)::putPage);
    }

    /** {@code get_page} of a free page: {@code page_ref_zero_or_close_to_overflow}, no reference taken. */
    @Eras(value = Era.LATEST, memory = "64M")
    void getPageOfAFreePageIsABug(Kernel k) {
        assertBugOnAFreedPage(k, "page_ref_zero_or_close_to_overflow(page)", k.get(PageRefs.class)::getPage);
    }

    /** Freeing a page still locked: "PAGE_FLAGS_CHECK_AT_FREE flag(s) set". */
    @Eras(value = Era.LATEST, memory = "64M")
    void freeingALockedPageIsABadPage(Kernel k) {
        assertBadPageOnFree(k, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set", page -> page.setFlag(PageFlags.PG_locked));
    }

    /** Freeing a page still in a mapping (page cache): "non-NULL mapping". */
    @Eras(value = Era.LATEST, memory = "64M")
    void freeingAPageWithAMappingIsABadPage(Kernel k) {
        assertBadPageOnFree(k, "non-NULL mapping", page -> page.setMapping(0xffff888000001000L));
    }

    /**
     * {@code __free_pages} of a page {@code alloc_kmem_pages} charged: in 4.7 "page still
     * charged to cgroup", the page leaked with its charge; from 4.8 the allocator uncharges any
     * accounted page, so it is no misuse any more and the charge goes.
     */
    @Eras(memory = "64M")
    void freeingAKmemPageWithoutTheHelper(Kernel k) {
        Witness w = Witness.of(k);
        k.cgroupfs().mkdir("/job");
        Page page = ChargedPages.charge(k, k.spawn("/job"), MemMap.PAGE_SIZE).pages().get(0);
        boolean helperEra = k.era() == Era.V4_7;
        if (helperEra) {
            k.expectBadPage(page, "page still charged to cgroup");
        }
        k.drainAllStock();
        long charged = k.cgroupfs().readLong("/job/memory.current");
        w.mark();

        k.get(PageAllocator.class).freePage(page);

        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).isEqualTo(charged - (helperEra ? 0 : MemMap.PAGE_SIZE));
        w.assertUnchangedAndRelease(helperEra ? 0 : 1);
    }
}
