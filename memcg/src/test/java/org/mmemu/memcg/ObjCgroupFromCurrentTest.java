package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.AllocatedBytes;

/** {@code get_obj_cgroup_from_current} of 5.9 to 5.11: a referenced objcg, found from the task up. */
class ObjCgroupFromCurrentTest {
    private final MemcgMachine m = TestEra.V5_10.boot();
    private final MemCgroup parent = m.cgroups.mkdir("/parent");
    private final MemCgroup child;
    private final TaskStruct task;
    private final Cpu cpu = m.cpus.current();

    ObjCgroupFromCurrentTest() {
        assertThat(m.tree.setSubtreeMemory(parent, true)).isZero();
        child = m.cgroups.mkdir(parent, "child");
        task = m.userTask("task", child);
    }

    @AfterEach
    void noLeaks() {
        m.tree.exit(task);
        if (child.isOnline()) {
            m.cgroups.rmdir(child);
        }
        m.cgroups.rmdir(parent);
        m.assertNoLeaks();
    }

    private ObjCgroup getAs(TaskStruct t) {
        try (Tasks.TaskScope s = m.tasks.enter(t)) {
            return m.objcgs.getObjCgroupFromCurrent(cpu);
        }
    }

    @Test
    void theTasksCgroupsObjcgWithAReference() {
        ObjCgroup objcg = getAs(task);
        assertThat(objcg).isSameAs(child.objcg());
        assertThat(objcg.refs()).as("the initial one and ours").isEqualTo(2);
        objcg.put(cpu);
        assertThat(objcg.refs()).isEqualTo(1);
    }

    @Test
    void theActiveMemcgWinsOverTheTasksCgroup() {
        try (Tasks.TaskScope s = m.tasks.enter(task);
             ActiveMemcgScope a = m.current.setActiveMemcg(parent)) {
            ObjCgroup objcg = m.objcgs.getObjCgroupFromCurrent(cpu);
            assertThat(objcg).isSameAs(parent.objcg());
            objcg.put(cpu);
        }
    }

    @Test
    void aKernelThreadOrARootTaskGetsNone() {
        assertThat(getAs(m.tasks.createKthread("kworker"))).isNull();
        assertThat(getAs(m.init)).as("the root has no objcg").isNull();
    }

    @Test
    void aTaskThatOutlivedItsCgroupsObjcgGetsTheNearestAncestors() {
        try (Tasks.TaskScope s = m.tasks.enter(task);
             ActiveMemcgScope a = m.current.setActiveMemcg(child)) {
            m.cgroups.attach(task, m.tree.root());
            m.cgroups.rmdir(child);
            ObjCgroup objcg = m.objcgs.getObjCgroupFromCurrent(cpu);
            assertThat(objcg).as("the dying child has no objcg: its parent's").isSameAs(parent.objcg());
            objcg.put(cpu);
        }
    }

    @Test
    void aByteChargeAndUnchargeHittingTheStockAllocateNothing() {
        ObjCgroup objcg = child.objcg();
        assertThat(m.objcgs.charge(cpu, objcg, 0, 8)).isZero();
        assertThat(AllocatedBytes.of(() -> {
            m.objcgs.charge(cpu, objcg, 0, 64);
            m.objcgs.uncharge(cpu, objcg, 64);
        })).isZero();
        m.objcgs.uncharge(cpu, objcg, 8);
    }
}
