package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_NORETRY;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;

/**
 * An {@code __GFP_ACCOUNT} vmalloc area is charged page by page in every era: through
 * {@code alloc_kmem_pages} in 4.6/4.7 ({@code __vmalloc_area_node}, 4.6.2's mm/vmalloc.c; given
 * back by {@code __vunmap}'s {@code __free_kmem_pages}), through the page allocator's own hooks
 * from 4.8 (4949148ad433). Each test ends with the machine's consistency checks, nothing charged.
 */
class AccountedVmallocTest {
    private static final int PAGES = 4;

    private MemcgMachine m;
    private Vmalloc vmalloc;
    private MemCgroup job;
    private TaskStruct writer;

    private void boot(TestEra era) {
        m = era.boot();
        vmalloc = m.injector.getInstance(Vmalloc.class);
        job = m.cgroups.mkdir("/job");
        writer = m.userTask("writer", job);
    }

    @AfterEach
    void nothingChargedAndEverythingConsistent() {
        m.tree.exit(writer);
        m.cgroups.rmdir(job);
        assertThat(vmalloc.nrAreas()).isZero();
        m.assertNoLeaks();
    }

    private long vmallocAs(TaskStruct task, int gfp) {
        try (var s = m.tasks.enter(task)) {
            return vmalloc.vmalloc((long) PAGES * MemMap.PAGE_SIZE, gfp);
        }
    }

    @ParameterizedTest
    @EnumSource(TestEra.class)
    void anAccountedAreaIsChargedPageByPageToTheCallersCgroupUntilVfree(TestEra era) {
        boot(era);
        long area = vmallocAs(writer, GFP_KERNEL_ACCOUNT);
        assertThat(area).isNotZero();
        assertThat(m.charged(job)).as("%s", era).isEqualTo(PAGES);
        for (int i = 0; i < PAGES; i++) {
            assertThat(m.data.pageMemcg(vmalloc.vmallocToPage(area + (long) i * MemMap.PAGE_SIZE)))
                    .as("%s: page %d", era, i).isSameAs(job);
        }
        try (var s = m.tasks.enter(writer)) {
            vmalloc.vfree(area);
        }
        assertThat(m.charged(job)).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestEra.class)
    void anAreaWithoutGfpAccountIsNobodysCharge(TestEra era) {
        boot(era);
        long area = vmallocAs(writer, GFP_KERNEL);
        assertThat(m.charged(job)).as("%s", era).isZero();
        assertThat(m.data.pageMemcg(vmalloc.vmallocToPage(area))).isNull();
        vmalloc.vfree(area);
    }

    @ParameterizedTest
    @EnumSource(TestEra.class)
    void anAreaTheLimitRefusesFailsAndGivesBackThePagesItWasCharged(TestEra era) {
        boot(era);
        assertThat(job.memory().setMax(PAGES - 1)).isZero();
        // __GFP_NORETRY: try_charge gives up at the limit, no OOM kill, in every era.
        assertThat(vmallocAs(writer, GFP_KERNEL_ACCOUNT | __GFP_NORETRY)).as("%s", era).isZero();
        assertThat(m.charged(job)).isZero();
    }
}
