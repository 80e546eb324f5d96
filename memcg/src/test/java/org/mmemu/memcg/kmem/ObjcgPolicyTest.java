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
        assertThat(objcg.refs()).as("the cgroup's initial reference and the page's").isEqualTo(2);
        m.refs.putPage(page);
        assertThat(objcg.refs()).isEqualTo(1);
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
        assertThat(m.objects.isLive(objcg.address())).as("the last reference freed the objcg").isFalse();
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
        assertThat(m.objects.isLive(objcg.address())).isFalse();
    }
}
