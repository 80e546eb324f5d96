package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;
import static org.mmemu.core.page.Gfp.__GFP_RETRY_MAYFAIL;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * What every kmem accounting policy must do, run once per policy: charge a kernel allocation to
 * the allocating task's cgroup (or the active memcg), skip what the kernel skips, fail the
 * allocation at the limit without leaking, and uncharge exactly once through the policy's own
 * free path, whoever frees.
 */
abstract class KmemAccountingContractTest {
    protected MemcgMachine m;
    protected MemCgroup job;
    protected TaskStruct writer;

    /** A machine of the policy's era. */
    abstract MemcgMachine boot();

    @BeforeEach
    void setUp() {
        m = boot();
        job = m.cgroups.mkdir("/job");
        writer = m.userTask("writer", job);
    }

    @AfterEach
    void tearDown() {
        m.tree.exit(writer);
        if (job.isOnline()) {
            m.cgroups.rmdir(job);
        }
        m.assertNoLeaks();
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
    }

    /** Pages charged to {@code memcg} and not parked in a stock. */
    long charged(MemCgroup memcg) {
        return m.charged(memcg);
    }

    Page allocAs(TaskStruct task, int gfp, int order) {
        try (Tasks.TaskScope s = m.tasks.enter(task)) {
            return m.kmemPages.allocKmemPages(gfp, order);
        }
    }

    void free(Page page, int order) {
        m.kmemPages.freeKmemPages(page, order);
    }

    @Test
    void anAccountedAllocationIsChargedToTheAllocatingTasksCgroup() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        assertThat(charged(job)).isEqualTo(1);
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).isEqualTo(1);
        assertThat(m.data.pageMemcgCheck(page)).isSameAs(job);
        free(page, 0);
        assertThat(charged(job)).isZero();
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).isZero();
        assertThat(page.memcgData()).isZero();
    }

    @Test
    void aHighOrderCompoundAllocationChargesEveryPage() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT | __GFP_COMP, 2);
        assertThat(charged(job)).isEqualTo(4);
        free(page, 2);
        assertThat(charged(job)).isZero();
    }

    @Test
    void unaccountedAllocationsAndTheRootAreNotCharged() {
        Page plain = allocAs(writer, GFP_KERNEL, 0);
        assertThat(plain.memcgData()).isZero();
        TaskStruct rootTask = m.userTask("init", m.tree.root());
        Page inRoot = allocAs(rootTask, GFP_KERNEL_ACCOUNT, 0);
        assertThat(inRoot.memcgData()).isZero();
        assertThat(m.tree.root().memory().read()).isZero();
        assertThat(charged(job)).isZero();
        free(plain, 0);
        free(inRoot, 0);
        m.tree.exit(rootTask);
    }

    @Test
    void kernelThreadsAndTasksWithoutMmBypassUnlessAnActiveMemcgIsSet() {
        TaskStruct kthread = m.tasks.createKthread("kworker/0:0");
        m.cgroups.attach(kthread, job);
        TaskStruct noMm = m.userTask("exiting", job);
        noMm.setMm(null);
        Page byKthread = allocAs(kthread, GFP_KERNEL_ACCOUNT, 0);
        Page byNoMm = allocAs(noMm, GFP_KERNEL_ACCOUNT, 0);
        assertThat(charged(job)).isZero();
        Page remote;
        try (var s = m.tasks.enter(kthread); var active = m.current.setActiveMemcg(job)) {
            remote = m.kmemPages.allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
        }
        assertThat(charged(job)).as("remote charging").isEqualTo(1);
        free(byKthread, 0);
        free(byNoMm, 0);
        free(remote, 0);
        assertThat(charged(job)).isZero();
        m.tree.exit(kthread);
        m.tree.exit(noMm);
    }

    @Test
    void aPageFreedByAnotherTaskInAnotherCgroupIsUnchargedFromTheOneItWasChargedTo() {
        MemCgroup other = m.cgroups.mkdir("/other");
        TaskStruct reader = m.userTask("reader", other);
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        try (var s = m.tasks.enter(reader)) {
            free(page, 0);
        }
        assertThat(charged(job)).isZero();
        assertThat(other.memory().read() - m.stock.stockedPagesOf(other)).isZero();
        m.tree.exit(reader);
        m.cgroups.rmdir(other);
    }

    @Test
    void aMayFailAllocationOverTheLimitFailsAndLeavesNothingCharged() {
        job.memory().exchangeMax(2);
        int gfp = GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
        Page a = allocAs(writer, gfp, 0);
        Page b = allocAs(writer, gfp, 0);
        Page c = allocAs(writer, gfp, 0);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(c).isNull();
        assertThat(charged(job)).isEqualTo(2);
        free(a, 0);
        free(b, 0);
    }

    @Test
    void theStaticKeysComeOnWithTheFirstCgroup() {
        assertThat(m.kmemKey.isEnabled()).isTrue();
        assertThat(m.hooks.allocKey().isEnabled()).isTrue();
        MemcgMachine fresh = boot();
        assertThat(fresh.hooks.allocKey().isEnabled()).isFalse();
        assertThat(fresh.hooks.freeKey().isEnabled()).isFalse();
        assertThat(fresh.hooks.releaseKey().isEnabled()).isFalse();
    }

    @Test
    void nokmemChargesNothingAndLeavesTheHooksOff() {
        MemcgMachine nokmem = MemcgMachine.era(m.config.withKmemAccounting(false), m.policy.policyName(),
                m.types.encoding().policyName());
        MemCgroup g = nokmem.cgroups.mkdir("/g");
        TaskStruct t = nokmem.userTask("t", g);
        Page page;
        try (var s = nokmem.tasks.enter(t)) {
            page = nokmem.kmemPages.allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
        }
        assertThat(g.memory().read()).isZero();
        assertThat(page.memcgData()).isZero();
        assertThat(nokmem.hooks.allocKey().isEnabled()).isFalse();
        assertThat(g.objcg()).isNull();
        nokmem.kmemPages.freeKmemPages(page, 0);
        nokmem.tree.exit(t);
        nokmem.cgroups.rmdir(g);
        nokmem.assertNoLeaks();
    }

    @Test
    void manyPagesAllocatedAndFreedLeaveZero() {
        Page[] pages = new Page[200];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        }
        assertThat(charged(job)).isEqualTo(200);
        for (Page p : pages) {
            free(p, 0);
        }
        assertThat(charged(job)).isZero();
    }
}
