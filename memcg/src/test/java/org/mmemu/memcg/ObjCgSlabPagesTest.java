package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_NOWAIT;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.sched.Cpu;
import org.mmemu.memcg.fs.CgroupFs;

/** The pre-5.9 charge of a clone's whole slab page to the clone's cgroup. */
class ObjCgSlabPagesTest {
    private static final FakeSlab.Cache CACHE = new FakeSlab.Cache(64, true, false);

    private MemcgMachine m;
    private MemcgSlabPages pages;
    private MemCgroup job;
    private Cpu cpu;

    private void boot(TestEra era) {
        m = era.boot();
        pages = m.injector.getInstance(MemcgSlabPages.class);
        job = m.cgroups.mkdir("/job");
        cpu = m.cpus.current();
    }

    private void assertUncharged(Page page) {
        assertThat(page.memcgData()).isZero();
        assertThat(job.stats().local(MemcgSlabHooks.vmstatItem(CACHE))).isZero();
    }

    private void finish(Page page, int order) {
        m.alloc.freePages(page, order);
        m.cgroups.rmdir(job);
        m.assertNoLeaks();
    }

    @ParameterizedTest
    @EnumSource(names = {"V4_7", "V4_8", "V4_18"})
    void theWholePageIsChargedToTheClonesCgroupWhoeverAllocatesIt(TestEra era) {
        boot(era);
        Page page = m.alloc.allocPages(GFP_KERNEL, 1);
        assertThat(pages.memcgChargeSlab(cpu, page, GFP_KERNEL, 1, CACHE, job)).isZero();

        assertThat(m.charged(job)).as("init, in the root, allocated; the clone's cgroup pays").isEqualTo(2);
        assertThat(page.memcgData()).isEqualTo(job.address());
        if (era != TestEra.V4_7) {
            assertThat(m.types.has(page, PageType.KMEMCG)).as("slab pages carry no PageKmemcg").isFalse();
        }
        assertThat(m.injector.getInstance(CgroupFs.class).read("/job/memory.stat"))
                .contains("\nslab_unreclaimable 8192\n");

        pages.memcgUnchargeSlab(cpu, page, 1, CACHE);
        assertThat(m.charged(job)).isZero();
        assertUncharged(page);
        finish(page, 1);
    }

    @ParameterizedTest
    @EnumSource(names = {"V4_8", "V4_18"})
    void aRemovedCgroupStaysDyingWhileItsSlabPagesAreCharged(TestEra era) {
        boot(era);
        Page page = m.alloc.allocPages(GFP_KERNEL, 0);
        assertThat(pages.memcgKmemCharge(cpu, page, GFP_KERNEL, 0, job)).isZero();
        m.cgroups.rmdir(job);
        assertThat(job.state()).isEqualTo(MemCgroup.State.DYING);

        pages.memcgKmemUncharge(cpu, page, 0);
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        m.alloc.freePages(page, 0);
        m.assertNoLeaks();
    }

    @ParameterizedTest
    @EnumSource(names = {"V4_8", "V4_18"})
    void aChargeOverTheLimitFailsAndLeavesThePageUncharged(TestEra era) {
        boot(era);
        assertThat(job.memory().setMax(0)).isZero();
        Page page = m.alloc.allocPages(GFP_KERNEL, 0);
        long refs = job.cssRefs();
        assertThat(pages.memcgChargeSlab(cpu, page, GFP_NOWAIT, 0, CACHE, job)).isEqualTo(Errno.ENOMEM.negative());
        assertThat(job.cssRefs()).isEqualTo(refs);
        assertUncharged(page);
        finish(page, 0);
    }

    @ParameterizedTest
    @EnumSource(names = {"V4_8", "V4_18"})
    void aSlabPageFreedStillChargedIsABadPageThatLeaks(TestEra era) {
        boot(era);
        Page page = m.alloc.allocPages(GFP_KERNEL, 0);
        assertThat(pages.memcgKmemCharge(cpu, page, GFP_KERNEL, 0, job)).isZero();
        m.alloc.freePages(page, 0);
        assertThat(m.badPages.reports()).singleElement().asString().contains("page still charged to cgroup");
        assertThat(m.charged(job)).as("the charge leaks with the page").isEqualTo(1);
        m.assertNoLostPages();
    }

    @ParameterizedTest
    @EnumSource(names = {"V4_8", "V4_18"})
    void unchargingAPageStoredWithTheRootIsAKernelBug(TestEra era) {
        boot(era);
        Page page = m.alloc.allocPages(GFP_KERNEL, 0);
        assertThat(pages.memcgKmemCharge(cpu, page, GFP_KERNEL, 0, m.tree.root())).isZero();
        assertThat(m.tree.root().memory().read()).as("the root is not charged").isZero();
        assertThatThrownBy(() -> pages.memcgKmemUncharge(cpu, page, 0)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("mem_cgroup_is_root(memcg)");
        page.setMemcgData(0);
        m.tree.root().cssPut(cpu, 1);
        finish(page, 0);
    }
}
