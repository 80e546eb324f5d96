package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.junit.jupiter.api.Test;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;
import org.mmemu.memcg.ObjCgroup;

/** The contract under the latest obj_cgroup design, and what only it does. */
class ObjcgPolicyTest extends KmemAccountingContractTest {
    @Override
    MemcgMachine boot() {
        return TestEra.LATEST.boot();
    }

    @Test
    void thePageHoldsItsObjcgNotItsMemcg() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        ObjCgroup objcg = job.objcg();
        assertThat(page.memcgData()).isEqualTo(objcg.address() | MemcgData.MEMCG_DATA_KMEM);
        assertThat(objcg.refs()).as("the cgroup's initial reference, the writer's and the page's")
                .isEqualTo(3);
        m.refs.putPage(page);
        assertThat(objcg.refs()).isEqualTo(2);
    }

    @Test
    void aTaskKeepsItsObjcgUntilItChargesElsewhereOrExits() {
        MemCgroup other = m.cgroups.mkdir("/other");
        m.refs.putPage(allocAs(writer, GFP_KERNEL_ACCOUNT, 0));
        ObjCgroup jobObjcg = job.objcg();
        assertThat(jobObjcg.refs()).as("current->objcg holds one").isEqualTo(2);

        m.cgroups.attach(writer, other);
        assertThat(jobObjcg.refs()).as("moving only flags the task").isEqualTo(2);
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        assertThat(m.data.pageMemcg(page)).as("the next charge goes where the task is").isSameAs(other);
        assertThat(jobObjcg.refs()).as("and drops the old objcg").isEqualTo(1);
        assertThat(other.objcg().refs()).isEqualTo(3);
        m.refs.putPage(page);

        m.tree.exit(writer);
        assertThat(other.objcg().refs()).as("mem_cgroup_exit dropped the task's").isEqualTo(1);
        m.cgroups.attach(writer, job);
        m.cgroups.rmdir(other);
    }

    @Test
    void theRemovedCgroupIsReleasedWhileItsPageLivesAndTheParentPaysLater() {
        MemCgroup parent = m.cgroups.mkdir("/parent");
        MemCgroup child = m.cgroups.mkdir(parent, "child");
        assertThat(m.tree.setSubtreeMemory(parent, true)).isZero();
        m.cgroups.attach(writer, child);
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        ObjCgroup objcg = child.objcg();
        m.cgroups.attach(writer, job);
        m.cgroups.rmdir(child);

        assertThat(child.state()).as("nothing pins the memcg itself").isEqualTo(MemCgroup.State.RELEASED);
        assertThat(parent.nrDyingDescendants()).isZero();
        assertThat(objcg.memcg()).isSameAs(parent);
        assertThat(m.objcgs.reparentedTo(parent)).containsExactly(objcg);
        assertThat(m.data.pageMemcg(page)).isSameAs(parent);
        assertThat(charged(parent)).as("the charge stayed in the hierarchy").isEqualTo(1);

        m.refs.putPage(page);
        assertThat(charged(parent)).isZero();
        assertThat(m.objects.isLive(objcg.address()))
                .as("the writer still holds it in current->objcg").isTrue();
        m.refs.putPage(allocAs(writer, GFP_KERNEL_ACCOUNT, 0));
        assertThat(m.objects.isLive(objcg.address()))
                .as("its next charge, in /job, dropped the last reference").isFalse();
        assertThat(m.objcgs.reparentedTo(parent)).isEmpty();
        m.cgroups.rmdir(parent);
    }

    @Test
    void reparentingCascadesThroughSeveralRemovals() {
        MemCgroup a = m.cgroups.mkdir("/a");
        MemCgroup b = m.cgroups.mkdir(a, "b");
        assertThat(m.tree.setSubtreeMemory(a, true)).isZero();
        m.cgroups.attach(writer, b);
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        ObjCgroup objcg = b.objcg();
        m.cgroups.attach(writer, job);
        m.cgroups.rmdir(b);
        m.cgroups.rmdir(a);
        assertThat(objcg.memcg()).isSameAs(m.tree.root());
        assertThat(a.state()).isEqualTo(MemCgroup.State.RELEASED);
        m.alloc.freePage(page);
        m.tree.exit(writer);
        assertThat(m.objects.isLive(objcg.address())).as("page and task gone").isFalse();
        m.cgroups.attach(writer, job);
    }
}
