package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.KernelBug;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;

class CgroupTreeTest {
    private final MemcgMachine m = MemcgMachine.boot();

    @AfterEach
    void noLeaks() {
        m.assertNoLeaks();
    }

    @Test
    void rootIsOnlineWithIdOneAndAnAlignedAddress() {
        MemCgroup root = m.tree.root();
        assertThat(root.isRoot()).isTrue();
        assertThat(root.path()).isEqualTo("/");
        assertThat(root.id()).isEqualTo(1);
        assertThat(root.state()).isEqualTo(MemCgroup.State.ONLINE);
        assertThat(root.address() & (MemcgData.MEMCG_DATA_FLAGS_MASK | 63)).isZero();
        assertThat(m.objects.resolve(root.address(), MemCgroup.class)).isSameAs(root);
    }

    @Test
    void mkdirBuildsPathsAndReusesTheLowestFreeId() {
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup a = m.cgroups.mkdir("/job/a");
        MemCgroup b = m.cgroups.mkdir(job, "b");
        assertThat(a.path()).isEqualTo("/job/a");
        assertThat(b.parent()).isSameAs(job);
        assertThat(m.tree.lookup("/job/b")).isSameAs(b);
        assertThat(new int[] {job.id(), a.id(), b.id()}).containsExactly(2, 3, 4);
        m.cgroups.rmdir(a);
        assertThat(a.id()).isZero();
        assertThat(m.cgroups.mkdir("/job/c").id()).isEqualTo(3);
        assertThat(m.tree.root().nrDescendants()).isEqualTo(3);
        m.cgroups.rmdir("/job/c");
        m.cgroups.rmdir(b);
        m.cgroups.rmdir(job);
    }

    @Test
    void mkdirErrors() {
        MemCgroup job = m.cgroups.mkdir("/job");
        assertErrno(() -> m.cgroups.mkdir("/job"), Errno.EEXIST);
        assertErrno(() -> m.cgroups.mkdir("/nope/x"), Errno.ENOENT);
        assertErrno(() -> m.cgroups.mkdir(job, "a/b"), Errno.EINVAL);
        m.cgroups.rmdir(job);
        assertErrno(() -> m.cgroups.mkdir(job, "late"), Errno.ENOENT);
    }

    @Test
    void rmdirIsBusyWithTasksOrChildren() {
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup a = m.cgroups.mkdir("/job/a");
        TaskStruct t = m.userTask("worker", job);
        assertErrno(() -> m.cgroups.rmdir(job), Errno.EBUSY);
        m.cgroups.attach(t, a);
        assertThat(job.tasks()).isEmpty();
        assertThat(a.tasks()).containsExactly(t);
        assertThat(m.tree.isPopulated(job)).isTrue();
        assertErrno(() -> m.cgroups.rmdir(job), Errno.EBUSY);
        assertErrno(() -> m.cgroups.rmdir(a), Errno.EBUSY);
        m.cgroups.attach(t, m.tree.root());
        assertThat(m.tree.isPopulated(job)).isFalse();
        m.cgroups.rmdir(a);
        m.cgroups.rmdir(job);
        assertErrno(() -> m.cgroups.rmdir(job), Errno.ENOENT);
        assertErrno(() -> m.cgroups.rmdir(m.tree.root()), Errno.EBUSY);
    }

    @Test
    void anUnreferencedCgroupIsReleasedAtRmdirAndItsAddressIsThenAUseAfterFree() {
        MemCgroup job = m.cgroups.mkdir("/job");
        long address = job.address();
        m.cgroups.rmdir(job);
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(m.objects.isLive(address)).isFalse();
        assertThatThrownBy(() -> m.data.memcgAt(address))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("KASAN: use-after-free")
                .hasMessageContaining("MemCgroup");
        assertThat(m.tree.root().nrDyingDescendants()).isZero();
    }

    @Test
    void aReferencedCgroupStaysDyingAndPinsItsParentUntilTheLastPut() {
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup a = m.cgroups.mkdir("/job/a");
        a.cssGet(1);
        m.cgroups.rmdir(a);
        assertThat(a.state()).isEqualTo(MemCgroup.State.DYING);
        assertThat(job.nrDescendants()).isZero();
        assertThat(job.nrDyingDescendants()).isEqualTo(1);
        assertThat(m.tree.root().nrDyingDescendants()).isEqualTo(1);
        m.cgroups.rmdir(job);
        assertThat(job.state()).as("its dying child holds a reference").isEqualTo(MemCgroup.State.DYING);
        assertThat(m.tree.root().nrDyingDescendants()).isEqualTo(2);

        a.cssPut(1);
        assertThat(a.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(m.tree.root().nrDyingDescendants()).isZero();
        assertThat(m.tree.root().cssRefs()).isEqualTo(1);
    }

    @Test
    void cssPutBelowZeroIsABug() {
        MemCgroup job = m.cgroups.mkdir("/job");
        m.cgroups.rmdir(job);
        assertThat(job.cssTryGet()).isFalse();
        assertThatThrownBy(() -> job.cssGet(1)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> job.cssPut(1)).isInstanceOf(KernelBug.class).hasMessageContaining("underflow");
    }

    @Test
    void tasksBelongToTheRootUntilMovedAndLeaveOnExit() {
        MemCgroup job = m.cgroups.mkdir("/job");
        TaskStruct t = m.tasks.create("t", new org.mmemu.core.mm.MmStruct());
        assertThat(m.tree.memcgOf(t)).isSameAs(m.tree.root());
        m.cgroups.attach(t, job);
        assertThat(m.tree.memcgOf(t)).isSameAs(job);
        m.tree.exit(t);
        assertThat(job.tasks()).isEmpty();
        assertThat(m.tree.memcgOf(t)).isSameAs(m.tree.root());
        m.cgroups.rmdir(job);
        assertErrno(() -> m.cgroups.attach(t, job), Errno.ENOENT);
    }

    @Test
    void aMoveOfATaskThatBeganToExitLeavesItOutAndTheCgroupRemovable() {
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup other = m.cgroups.mkdir("/other");
        TaskStruct t = m.userTask("t", job);
        // The mover found the task (cgroup.procs, find_task_by_vpid), then it exited meanwhile.
        assertThat(m.injector.getInstance(Exit.class).doExit(t)).isTrue();

        m.cgroups.attach(t, other);

        assertThat(other.tasks()).as("cgroup_migrate_add_task skips PF_EXITING").isEmpty();
        m.cgroups.rmdir(other);
        m.cgroups.rmdir(job);
    }

    @Test
    void getMemCgroupFromCurrentFollowsTheTaskAndTakesAReference() {
        MemCgroup job = m.cgroups.mkdir("/job");
        TaskStruct t = m.userTask("t", job);
        assertThat(m.current.getMemCgroupFromCurrent()).as("swapper is a kernel thread").isNull();
        try (var s = m.tasks.enter(t)) {
            long refs = job.cssRefs();
            assertThat(m.current.getMemCgroupFromCurrent()).isSameAs(job);
            assertThat(job.cssRefs()).isEqualTo(refs + 1);
            job.cssPut(1);
        }
        TaskStruct noMm = m.tasks.create("nomm", null);
        m.cgroups.attach(noMm, job);
        try (var s = m.tasks.enter(noMm)) {
            assertThat(m.current.kmemBypass()).isTrue();
            assertThat(m.current.getMemCgroupFromCurrent()).isNull();
        }
        m.tree.exit(t);
        m.tree.exit(noMm);
        m.cgroups.rmdir(job);
    }

    @Test
    void activeMemcgOverridesEvenForKernelThreadsAndNests() {
        MemCgroup a = m.cgroups.mkdir("/a");
        MemCgroup b = m.cgroups.mkdir("/b");
        TaskStruct kthread = m.tasks.createKthread("kworker/0:1");
        try (var s = m.tasks.enter(kthread)) {
            assertThat(m.current.kmemBypass()).isTrue();
            try (var outer = m.current.setActiveMemcg(a)) {
                assertThat(m.current.kmemBypass()).isFalse();
                assertThat(m.current.chargeTarget()).isSameAs(a);
                try (var inner = m.current.setActiveMemcg(b)) {
                    assertThat(m.current.chargeTarget()).isSameAs(b);
                }
                assertThat(m.current.chargeTarget()).isSameAs(a);
            }
            assertThat(m.current.activeMemcg()).isNull();
        }
        m.cgroups.rmdir(a);
        m.cgroups.rmdir(b);
    }

    @Test
    void aReleasedActiveMemcgFallsBackToTheRootWithAWarning() {
        MemCgroup a = m.cgroups.mkdir("/a");
        TaskStruct t = m.userTask("t", m.tree.root());
        m.cgroups.rmdir(a);
        try (var s = m.tasks.enter(t); var active = m.current.setActiveMemcg(a)) {
            MemCgroup got = m.current.getMemCgroupFromCurrent();
            assertThat(got).isSameAs(m.tree.root());
            got.cssPut(1);
        }
        assertThat(m.log.contains("css_tryget failed")).isTrue();
        m.tree.exit(t);
    }

    @Test
    void idsRunOutAtMemCgroupIdMax() {
        MemcgMachine small = MemcgMachine.boot();
        MemCgroup parent = small.tree.root();
        int made = 0;
        try {
            while (true) {
                small.cgroups.mkdir(parent, "c" + made);
                made++;
            }
        } catch (ErrnoException e) {
            assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
        }
        assertThat(made).as("ids 2..0xffff; the root has 1").isEqualTo(CgroupTree.MEM_CGROUP_ID_MAX - 1);
    }

    private static void assertErrno(Runnable r, Errno errno) {
        assertThatThrownBy(r::run).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(errno);
    }
}
