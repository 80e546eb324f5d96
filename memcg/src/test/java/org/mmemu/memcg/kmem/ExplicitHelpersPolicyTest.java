package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.junit.jupiter.api.Test;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;

/** The contract under 4.7's explicit helpers, and the leaks of freeing their pages otherwise. */
class ExplicitHelpersPolicyTest extends KmemAccountingContractTest {
    @Override
    MemcgMachine boot() {
        return TestEra.V4_7.boot();
    }

    @Test
    void theGenericAllocatorDoesNotCharge() {
        Page page;
        try (var s = m.tasks.enter(writer)) {
            page = m.alloc.allocPage(GFP_KERNEL_ACCOUNT);
        }
        assertThat(page.memcgData()).isZero();
        assertThat(charged(job)).isZero();
        m.alloc.freePage(page);
    }

    @Test
    void theHelperMarksThePageOnlyThroughMemCgroup() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        assertThat(page.memcgData()).isEqualTo(job.address());
        assertThat(page.mapcountWord()).isEqualTo(-1);
        assertThat(job.kmem().read()).as("the v1 kmem counter").isEqualTo(1);
        free(page, 0);
        assertThat(job.kmem().read()).isZero();
    }
}
