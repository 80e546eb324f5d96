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
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.kmem.KmemPages;

/**
 * The story, step 6: a task in /parent/child leaves a kmem page behind, exits, and the child is
 * removed. Up to 5.11 the page points at the child's mem_cgroup and holds a reference on it, so
 * the child stays a dying cgroup until the page is freed; in the latest kernels the page holds
 * an obj_cgroup, which is reparented, so the child is released at once and the parent pays for
 * the page until it goes. Either way the parent's {@code memory.current} counts the page the
 * whole time, and nothing is left once it is freed (and, from 5.11, the stocks drained).
 */
class Story6DyingCgroupTest {
    private EraMachine e;

    @AfterEach
    void finish() {
        e.finish();
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void aRemovedCgroupIsPinnedByItsKmemPageUntilTheObjcgEra(Era era) {
        e = EraMachine.boot(era);
        MemCgroup parent = e.mkdir("/parent");
        e.k.cgroupfs().write("/parent/cgroup.subtree_control", "+memory");
        MemCgroup child = e.mkdir("/parent/child");
        Task task = e.spawn("/parent/child");
        Page page;
        try (var running = e.as(task)) {
            page = e.m.get(KmemPages.class).allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
        }
        task.exit();

        e.k.cgroupfs().rmdir("/parent/child");

        boolean objcg = era == Era.LATEST;
        assertThat(child.state()).isEqualTo(objcg ? MemCgroup.State.RELEASED : MemCgroup.State.DYING);
        assertThat(parent.nrDyingDescendants()).isEqualTo(objcg ? 0 : 1);
        assertThat(e.m.get(MemcgData.class).pageMemcgCheck(page)).as("who the page is charged to")
                .isSameAs(objcg ? parent : child);
        assertThat(e.charged("/parent")).as("the parent's memory.current counts it").isEqualTo(1);

        e.m.get(KmemPages.class).freeKmemPages(page, 0);

        // From 5.11 the uncharge parks in the freeing CPU's stock, which keeps its cgroup
        // referenced until the stock is drained; charged() drains every stock first.
        assertThat(e.charged("/parent")).isZero();
        assertThat(child.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(parent.nrDyingDescendants()).isZero();
        assertThat(e.m, page).isFree().hasMemcgData(0);
        e.k.cgroupfs().rmdir("/parent");
    }
}
