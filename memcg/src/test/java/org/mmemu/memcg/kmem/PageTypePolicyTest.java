package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;

/** The contract under 4.8's PageKmemcg (value encoding), and what only the page-type design does. */
class PageTypePolicyTest extends KmemAccountingContractTest {
    @Override
    MemcgMachine boot() {
        return TestEra.V4_8.boot();
    }

    /** The word a freshly charged page carries under this machine's encoding. */
    int expectedKmemcgWord() {
        return -512;
    }

    @Test
    void theGenericAllocatorChargesAndMarksThePageType() {
        Page page;
        try (var s = m.tasks.enter(writer)) {
            page = m.alloc.allocPage(GFP_KERNEL_ACCOUNT);
        }
        assertThat(m.types.has(page, PageType.KMEMCG)).isTrue();
        assertThat(page.mapcountWord()).isEqualTo(expectedKmemcgWord());
        assertThat(page.memcgData()).as("page->mem_cgroup, no flag bits").isEqualTo(job.address());
        assertThat(charged(job)).isEqualTo(1);
        m.alloc.freePage(page);
        assertThat(page.mapcountWord()).isEqualTo(-1);
        assertThat(charged(job)).isZero();
    }

    @Test
    void everyFreePathUnchargesExactlyOnce() {
        Page viaPutPage = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        Page viaFreePages = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        Page viaRelease = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        Page shared = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        assertThat(charged(job)).isEqualTo(4);

        m.refs.putPage(viaPutPage);
        assertThat(charged(job)).isEqualTo(3);
        m.alloc.freePage(viaFreePages);
        assertThat(charged(job)).isEqualTo(2);
        m.refs.releasePages(List.of(viaRelease));
        assertThat(charged(job)).isEqualTo(1);
        m.refs.getPage(shared);
        m.alloc.freePage(shared);
        assertThat(charged(job)).as("a reference remains: still charged").isEqualTo(1);
        m.refs.putPage(shared);
        assertThat(charged(job)).isZero();
        assertThat(m.badPages.reports()).isEmpty();
    }

    @Test
    void aLiveKmemPagePinsTheRemovedCgroupUntilItIsFreed() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        m.tree.exit(writer);
        m.cgroups.rmdir(job);
        assertThat(job.state()).isEqualTo(MemCgroup.State.DYING);
        assertThat(m.tree.root().nrDyingDescendants()).isEqualTo(1);
        assertThat(job.memory().read()).as("still charged to the removed cgroup").isEqualTo(1);
        m.refs.putPage(page);
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(m.tree.root().nrDyingDescendants()).isZero();
    }

    @Test
    void theFreePathUnchargesTheCountersDirectly() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        long stockedBefore = m.stock.stockedPages(0);
        m.alloc.freePage(page);
        assertThat(m.stock.stockedPages(0)).as("nothing went back into the stock").isEqualTo(stockedBefore);
    }
}
