package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.it.misuse.Misuses.assertBug;

import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.kmem.KmemPages;

/** Misuses of the page allocator and of page references. */
class PageMisuseTest {
    /** {@code __free_pages} of a page already freed: {@code VM_BUG_ON_PAGE(page_ref_count(page) == 0)}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void doubleFreeIsABug(Kernel k) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        alloc.freePage(page);
        w.mark();

        assertBug("VM_BUG_ON_PAGE(page_ref_count(page) == 0)", () -> alloc.freePage(page));
        w.assertUnchangedAndRelease();
    }

    /** {@code put_page} past zero: the same BUG, and the free page stays free. */
    @Eras(value = Era.LATEST, memory = "64M")
    void putPagePastZeroIsABug(Kernel k) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        PageRefs refs = k.get(PageRefs.class);
        refs.putPage(page);
        w.mark();

        assertBug("page_ref_count(page) == 0", () -> refs.putPage(page));
        assertThat(page.refcount()).isZero();
        w.assertUnchangedAndRelease();
    }

    /** {@code get_page} of a free page: {@code page_ref_zero_or_close_to_overflow}, no reference taken. */
    @Eras(value = Era.LATEST, memory = "64M")
    void getPageOfAFreePageIsABug(Kernel k) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        alloc.freePage(page);
        w.mark();

        assertBug("page_ref_zero_or_close_to_overflow(page)", () -> k.get(PageRefs.class).getPage(page));
        assertThat(page.refcount()).isZero();
        w.assertUnchangedAndRelease();
    }

    /** Freeing a page still locked: "PAGE_FLAGS_CHECK_AT_FREE flag(s) set", and the page is leaked. */
    @Eras(value = Era.LATEST, memory = "64M")
    void freeingALockedPageIsABadPage(Kernel k) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        page.setFlag(PageFlags.PG_locked);
        k.expectBadPage(page, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
        w.mark();

        alloc.freePage(page);

        assertThat(k.log().dmesg()).contains("BUG: Bad page state", "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
        w.assertUnchangedAndRelease();
    }

    /** Freeing a page still in a mapping (page cache): "non-NULL mapping", and the page is leaked. */
    @Eras(value = Era.LATEST, memory = "64M")
    void freeingAPageWithAMappingIsABadPage(Kernel k) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        page.setMapping(0xffff888000001000L);
        k.expectBadPage(page, "non-NULL mapping");
        w.mark();

        alloc.freePage(page);

        assertThat(k.log().dmesg()).contains("non-NULL mapping");
        w.assertUnchangedAndRelease();
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
        Task t = k.spawn("/job");
        Page page;
        try (var running = k.enter(t)) {
            page = k.get(KmemPages.class).allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
        }
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
