package org.mmemu.it.fray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Cpus;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroups;

/**
 * rmdir of a cgroup on CPU 0, which reparents its obj_cgroup to the parent
 * ({@code memcg_reparent_objcgs}, mm/memcontrol.c from 5.9), against CPU 1 uncharging bytes
 * charged through that obj_cgroup ({@code obj_cgroup_uncharge}, through its byte stock, and
 * {@code obj_cgroup_uncharge_pages} to the objcg's memcg read under a css reference), under every
 * schedule Fray tries: each charge ends exactly once, in the parent's counter whichever cgroup
 * the uncharge found, and the removed cgroup is released once nothing references it.
 */
class ReparentUnchargeFrayTest {
    private static final int ITERATIONS = 100;
    private static final long SEED = 0x4e9aL;
    /** Two pages and a half: whole pages go to the counters, the rest through the byte stock. */
    private static final int BYTES = 2 * MemMap.PAGE_SIZE + MemMap.PAGE_SIZE / 2;

    @ParameterizedTest
    @EnumSource(value = Era.class, names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void anUnchargeAgainstTheReparentingEndsEachChargeOnceInTheParent(Era era) {
        Kernel k = Kernel.boot(era, KernelConfig.memory("64M"));
        Cpus cpus = k.get(Cpus.class);
        Cgroups cgroups = k.get(Cgroups.class);
        ObjCgroups objcgs = k.get(ObjCgroups.class);
        MemCgroup job = cgroups.mkdir("/job");
        k.drainAllStock();
        long jobBefore = job.memory().read();
        cpus.unbind();
        int[] rounds = {0};

        FrayRuns.Exploration run = FrayRuns.explore(SEED, ITERATIONS, () -> {
            MemCgroup child = cgroups.mkdir("/job/child");
            ObjCgroup objcg = child.objcg();
            // The charged object's own reference, dropped with its uncharge on cpu1.
            cpus.bind(0);
            objcg.get(cpus.current());
            assertThat(objcgs.charge(cpus.current(), objcg, GFP_KERNEL, BYTES)).isZero();
            cpus.unbind();
            TwoCpus.race(cpus, () -> cgroups.rmdir(child), () -> {
                objcgs.uncharge(cpus.current(), objcg, BYTES);
                objcg.put(cpus.current());
            });
            k.drainAllStock();
            assertThat(job.memory().read()).as("the parent's counter").isEqualTo(jobBefore);
            assertThat(child.state()).as("the removed cgroup").isEqualTo(MemCgroup.State.RELEASED);
            assertThat(job.objcg().refs()).as("job's own objcg").isPositive();
            rounds[0]++;
        });

        assertThat(run.failure()).as(run.describe()).isNull();
        assertThat(rounds[0]).as("rounds run").isEqualTo(ITERATIONS);
        cgroups.rmdir(job);
        k.close();
    }
}
