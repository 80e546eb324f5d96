package org.mmemu.it;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.page.Page;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.kmem.KmemPages;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * The story, step 1 (up to 4.7): a page charged by {@code alloc_kmem_pages} must be freed with
 * {@code free_kmem_pages}. Freed another way it goes wrong, and from 4.8 it no longer can:
 * <ul>
 *   <li>{@code put_page}: 4.7 uncharges it as a file page, so the v1 {@code kmem} counter and
 *       the kmem statistic keep it and the file statistic goes negative; 4.8 and later uncharge
 *       it exactly once;</li>
 *   <li>{@code __free_pages}: 4.7 reports "page still charged to cgroup" and leaks the page with
 *       its charge; 4.8 and later uncharge it exactly once.</li>
 * </ul>
 */
class Story1HelperEraTest {
    private EraMachine e;
    private MemCgroup job;
    private Task writer;
    /** What /job was charged before the test's page: the writer's pgd, from 4.8. */
    private long baseCharged;
    private long baseKmemStat;

    @AfterEach
    void finish() {
        e.finish();
    }

    private Page allocKmemPage(Era era) {
        e = EraMachine.boot(era);
        job = e.mkdir("/job");
        writer = e.spawn("/job");
        baseCharged = e.charged("/job");
        baseKmemStat = kmemStat();
        Page page;
        try (var running = e.as(writer)) {
            page = e.m.get(KmemPages.class).allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
        }
        assertThat(kmemCharged()).as("charged in every era").isEqualTo(1);
        return page;
    }

    /** Pages charged to /job since the writer was spawned, from memory.current. */
    private long kmemCharged() {
        return e.charged("/job") - baseCharged;
    }

    /** The kmem statistic of /job since the writer was spawned. */
    private long kmemStatDelta() {
        return kmemStat() - baseKmemStat;
    }

    private long kmemStat() {
        return job.stats().local(MemcgStatItem.MEMCG_KMEM);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void putPageUnchargesAHelperPageAsAFilePageIn47AndExactlyOnceFrom48(Era era) {
        Page page = allocKmemPage(era);

        e.refs.putPage(page);

        assertThat(kmemCharged()).as("memory is uncharged in every era").isZero();
        assertThat(e.m, page).isFree().hasMemcgData(0);
        boolean leaks = era == Era.V4_7;
        assertThat(job.kmem().read()).as("the v1 kmem counter").isEqualTo(leaks ? 1 : 0);
        assertThat(kmemStatDelta()).isEqualTo(leaks ? 1 : 0);
        assertThat(job.stats().local(MemcgStatItem.NR_FILE_PAGES))
                .as("a file page that was never counted").isEqualTo(leaks ? -1 : 0);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void freePagesLeaksAHelperPageWithItsChargeIn47AndUnchargesItFrom48(Era era) {
        Page page = allocKmemPage(era);
        boolean leaks = era == Era.V4_7;
        if (leaks) {
            e.m.expectBadPage(page, "page still charged to cgroup");
        }

        e.alloc.freePage(page);

        if (leaks) {
            assertThat(e.m, page).as("a bad page is never freed").isNotFree().hasMemcgData(job.address());
            assertThat(kmemCharged()).isEqualTo(1);
            assertThat(e.m.log().dmesg()).contains("BUG: Bad page state in process swapper/");
        } else {
            assertThat(e.m, page).isFree().hasMemcgData(0);
            assertThat(kmemCharged()).isZero();
            assertThat(kmemStatDelta()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void freeKmemPagesIsRightInEveryEra(Era era) {
        Page page = allocKmemPage(era);

        e.m.get(KmemPages.class).freeKmemPages(page, 0);

        assertThat(e.m, page).isFree().hasMemcgData(0);
        assertThat(kmemCharged()).isZero();
        assertThat(job.kmem().read()).isZero();
        assertThat(kmemStatDelta()).isZero();
    }
}
