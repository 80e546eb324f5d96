package org.mmemu.it;

import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;
import static org.mmemu.it.EraMachine.PAGE;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Errno;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.vmstat.VmStatItem;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.kmem.KmemPages;

/**
 * The story, steps 3 and 5: a driver maps a kmem-charged page to user space with
 * {@code vm_insert_page} (as mmapable BPF maps would), and what happens depends on where the
 * era keeps "charged to kmemcg":
 * <pre>
 *  era          mark                   vm_insert_page   while mapped
 *  4.7          memcg pointer only     maps it          a plain mapped page
 *  4.8          _mapcount = -512       maps it          -511: not PageKmemcg, mapcount -510
 *  4.18         page_type bit 0x200    maps it          0xfffffe00: not PageKmemcg, PageBuddy!
 *  5.9, 5.10    page_type bit 0x200    -EINVAL          untouched
 *  5.11, latest memcg_data bit 1       maps it          a plain mapped page, still charged
 * </pre>
 * In 4.8 and 4.18 the unmap brings the type back ("Bad page map": the mapcount reads negative)
 * and leaves {@code nr_mapped} one lower than it started. In every era the page is uncharged
 * exactly once when the driver frees it.
 */
class Story3MappingKmemPagesTest {
    private static final long ADDR = 0x400000;

    private EraMachine e;
    private MemCgroup job;
    private Task task;
    private Page page;

    @AfterEach
    void finish() {
        e.finish();
    }

    private Vma bootAndMapDriverVma(Era era) {
        e = EraMachine.boot(era);
        job = e.mkdir("/job");
        task = e.spawn("/job");
        try (var running = e.as(task)) {
            page = e.m.get(KmemPages.class).allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
            assertThat(e.spaces.mmapSpecial(task.taskStruct().mm(), ADDR, PAGE, VM_READ | VM_SHARED)).isEqualTo(ADDR);
        }
        return task.taskStruct().mm().vmaLookup(ADDR);
    }

    private int insert(Vma vma) {
        try (var running = e.as(task)) {
            return e.memory.vmInsertPage(vma, ADDR, page);
        }
    }

    private long nrMapped() {
        return e.m.vmStat().read(VmStatItem.NR_FILE_MAPPED);
    }

    /** Unmaps the driver's range and frees the page the driver's way; it must be uncharged once. */
    private void unmapAndFree() {
        assertThat(e.spaces.munmap(task.taskStruct().mm(), ADDR, PAGE)).isZero();
        e.m.get(KmemPages.class).freeKmemPages(page, 0);
        assertThat(e.m, page).isFree().hasMemcgData(0);
        assertThat(e.m.get(MemcgData.class).pageMemcgCheck(page)).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = {"V4_7", "V5_11", "LATEST"})
    void whereNothingMarksThePageInMapcountItIsMappedLikeAnyOther(Era era) {
        Vma vma = bootAndMapDriverVma(era);

        assertThat(insert(vma)).isZero();

        assertThat(e.m, page).hasMapcount(1).hasRefCount(2);
        assertThat(e.m.types().hasAnyType(page)).isFalse();
        assertThat(e.m.get(MemcgData.class).pageMemcgCheck(page)).as("still charged").isSameAs(job);
        assertThat(nrMapped()).isEqualTo(1);
        unmapAndFree();
        assertThat(nrMapped()).isZero();
        assertThat(e.m.log().dmesg()).doesNotContain("Bad page map");
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = "V4_8")
    void in48MappingCorruptsTheValueSoThePageStopsLookingCharged(Era era) {
        Vma vma = bootAndMapDriverVma(era);
        assertThat(e.m, page).hasMapcountWord(-512);

        assertThat(insert(vma)).isZero();

        assertThat(e.m, page).hasMapcountWord(-511).hasMapcount(-510);
        assertThat(e.m.types().has(page, PageType.KMEMCG)).isFalse();
        assertThat(nrMapped()).as("-512 -> -511 is no first mapping").isZero();
        unmapAndFreeBringingTheTypeBack(-512);
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = "V4_18")
    void in418MappingCorruptsTheBitsSoThePageReadsAsAFreeBuddyPage(Era era) {
        Vma vma = bootAndMapDriverVma(era);
        assertThat(e.m, page).hasMapcountWord(0xfffffdff);

        assertThat(insert(vma)).isZero();

        assertThat(e.m, page).hasMapcountWord(0xfffffe00);
        assertThat(e.m.types().has(page, PageType.KMEMCG)).isFalse();
        assertThat(e.m.types().has(page, PageType.BUDDY)).as("bit 0x80 now clear").isTrue();
        unmapAndFreeBringingTheTypeBack(0xfffffdff);
    }

    /** 4.8 and 4.18: unmapping restores the word, reports the bad map, and skews nr_mapped. */
    private void unmapAndFreeBringingTheTypeBack(int typedWord) {
        assertThat(e.spaces.munmap(task.taskStruct().mm(), ADDR, PAGE)).isZero();
        assertThat(e.m, page).hasMapcountWord(typedWord).hasType(PageType.KMEMCG);
        assertThat(e.m.log().dmesg()).contains("BUG: Bad page map in process");
        assertThat(nrMapped()).as("decremented without ever being incremented").isEqualTo(-1);
        e.m.get(KmemPages.class).freeKmemPages(page, 0);
        assertThat(e.m, page).isFree().hasMemcgData(0).hasNoType();
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = {"V5_9", "V5_10"})
    void from51ToThe510TypedPagesAreRefused(Era era) {
        Vma vma = bootAndMapDriverVma(era);

        assertThat(insert(vma)).isEqualTo(Errno.EINVAL.negative());

        assertThat(e.m, page).hasMapcountWord(0xfffffdff).hasType(PageType.KMEMCG).hasRefCount(1);
        try (var running = e.as(task)) {
            assertThat((Object) e.memory.followPage(vma, ADDR)).as("nothing was mapped").isNull();
        }
        assertThat(nrMapped()).isZero();
        unmapAndFree();
    }
}
