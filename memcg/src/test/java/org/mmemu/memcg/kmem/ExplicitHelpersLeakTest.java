package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.BadPageReport;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * 4.6/4.7: a page from {@code alloc_kmem_pages} freed without {@code free_kmem_pages} (KERNEL
 * SEMANTICS, conflict 7). Each test ends by checking that exactly the kernel's leak remains:
 * no page is lost silently and the leftover charge is what the scenario leaks.
 */
class ExplicitHelpersLeakTest {
    private MemcgMachine m;
    private MemCgroup job;
    private TaskStruct writer;
    private long expectedMemory;
    private long expectedKmem;

    @BeforeEach
    void setUp() {
        m = TestEra.V4_7.boot();
        job = m.cgroups.mkdir("/job");
        writer = m.userTask("writer", job);
    }

    @AfterEach
    void exactlyTheKernelsLeakRemains() {
        m.tree.exit(writer);
        if (job.isOnline()) {
            m.cgroups.rmdir(job);
        }
        m.assertNoLostPages();
        assertThat(job.memory().read()).isEqualTo(expectedMemory);
        assertThat(job.kmem().read()).isEqualTo(expectedKmem);
        assertThat(m.tree.root().memory().read()).as("hierarchical: only the leak").isEqualTo(expectedMemory);
    }

    private Page allocKmemPage() {
        try (var s = m.tasks.enter(writer)) {
            return m.kmemPages.allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
        }
    }

    @Test
    void putPageUnchargesItAsAFilePageAndTheKmemCounterLeaks() {
        Page page = allocKmemPage();
        m.refs.putPage(page);
        assertThat(page.memcgData()).isZero();
        assertThat(m.badPages.reports()).isEmpty();
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).isEqualTo(1);
        assertThat(job.stats().local(MemcgStatItem.NR_FILE_PAGES))
                .as("a file statistic that was never incremented").isEqualTo(-1);
        expectedMemory = 0;
        expectedKmem = 1;
    }

    @Test
    void freePagesReportsPageStillChargedAndLeaksThePageWithItsChargeAndCgroup() {
        Page page = allocKmemPage();
        m.alloc.freePage(page);
        assertThat(m.badPages.reports()).extracting(BadPageReport::reason)
                .containsExactly("page still charged to cgroup");
        assertThat(m.badPages.reports().get(0).pfn()).isEqualTo(page.pfn());
        assertThat(m.log.contains("BUG: Bad page state in process swapper/0")).isTrue();
        assertThat(m.log.contains("page dumped because: page still charged to cgroup")).isTrue();
        assertThat(m.alloc.freePfns().get((int) page.pfn())).as("the page leaked").isFalse();
        assertThat(page.memcgData()).isEqualTo(job.address());
        expectedMemory = 1;
        expectedKmem = 1;
    }

    @Test
    void theLeakedPagePinsTheRemovedCgroup() {
        Page page = allocKmemPage();
        m.alloc.freePage(page);
        m.tree.exit(writer);
        m.cgroups.rmdir(job);
        assertThat(job.state()).isEqualTo(MemCgroup.State.DYING);
        assertThat(m.tree.root().nrDyingDescendants()).isEqualTo(1);
        expectedMemory = 1;
        expectedKmem = 1;
    }
}
