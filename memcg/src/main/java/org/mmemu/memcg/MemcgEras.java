package org.mmemu.memcg;

import static org.mmemu.core.era.KernelRelease.LATEST;
import static org.mmemu.core.era.KernelRelease.V4_18;
import static org.mmemu.core.era.KernelRelease.V4_8;
import static org.mmemu.core.era.KernelRelease.V5_10;
import static org.mmemu.core.era.KernelRelease.V5_11;
import static org.mmemu.core.era.KernelRelease.V5_9;

import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;
import org.mmemu.memcg.fs.CgroupFsLayout;
import org.mmemu.memcg.kmem.ExplicitHelpersPolicy;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.kmem.MemcgDataFlagPolicy;
import org.mmemu.memcg.kmem.ObjcgPolicy;
import org.mmemu.memcg.kmem.PageTypePolicy;
import org.mmemu.memcg.stat.MemoryStatFormat;

/**
 * memcg's era table: the kmem accounting design, the {@link MemcgConfig} knobs, and the
 * formats of memory.stat and of the cgroup files.
 *
 * <p>Choices the reference leaves open, and why:
 * <ul>
 *   <li>4.7 keeps the cgroup-v1 {@code kmem} counter: 4.6's {@code memcg_kmem_charge} charges
 *       {@code memcg->kmem} on every hierarchy, 4.8's only on cgroup v1; 4.7 is taken to be
 *       like 4.6. That counter is where the helper era's {@code put_page} leak shows.</li>
 *   <li>4.18 runs the 4.8 charge path: the memcg OOM killer moved back into the charge path in
 *       4.19 ("memcg, oom: move out_of_memory back to the charge path").</li>
 *   <li>4.18's memory.stat (4.19's too) is 4.8's plus {@code shmem}, the reclaim events and the
 *       workingset counts; its cgroup files add {@code oom_kill} to memory.events, and
 *       cgroup.stat, without 4.19's memory.oom.group or the later memory.events.local and
 *       {@code frozen} line.</li>
 *   <li>5.9 open-codes memory.stat in its own order, and its cgroup files are 5.10's without
 *       memory.numa_stat (which 5.10 added).</li>
 * </ul>
 */
public final class MemcgEras {
    /** How {@code __GFP_ACCOUNT} pages are charged and marked. */
    public static final EraChoice<String> KMEM = EraChoice.policy("kmem", KmemAccountingPolicy.class,
                    ExplicitHelpersPolicy.NAME)
            .since(V4_8, PageTypePolicy.NAME)
            .since(V5_11, MemcgDataFlagPolicy.NAME)
            .since(LATEST, ObjcgPolicy.NAME);

    /**
     * The charge batch, the charge path, where kmem uncharges go, the v1 kmem counter, what pins
     * a stock's memcg.
     */
    public static final EraChoice<MemcgConfig> CONFIG = EraChoice.config("memcg config", MemcgConfig.class,
                    MemcgConfig.LATEST.withChargeBatch(32).withChargeSemantics(ChargeSemantics.V4_8)
                            .withKmemUnchargeViaStock(false).withV1KmemCounter(true).withStockPinsMemcg(false),
                    MemcgEras::describe, (binder, config) -> MemcgModule.config(binder).setBinding().toInstance(config))
            .since(V4_8, MemcgConfig.LATEST.withChargeBatch(32).withChargeSemantics(ChargeSemantics.V4_8)
                    .withKmemUnchargeViaStock(false).withStockPinsMemcg(false))
            .since(V5_9, MemcgConfig.LATEST.withChargeBatch(32).withChargeSemantics(ChargeSemantics.V5_10)
                    .withKmemUnchargeViaStock(false))
            .since(V5_11, MemcgConfig.LATEST.withChargeBatch(32).withChargeSemantics(ChargeSemantics.V5_10))
            .since(LATEST, MemcgConfig.LATEST);

    /** The keys of memory.stat, in the kernel's order. */
    public static final EraChoice<String> MEMORY_STAT = EraChoice.policy("memory.stat", MemoryStatFormat.class,
                    MemoryStatFormat.V4_8.policyName())
            .since(V4_18, MemoryStatFormat.V4_18.policyName())
            .since(V5_9, MemoryStatFormat.V5_9.policyName())
            .since(V5_10, MemoryStatFormat.V5_10.policyName())
            .since(V5_11, MemoryStatFormat.V5_11.policyName())
            .since(LATEST, MemoryStatFormat.LATEST.policyName());

    /** The cgroup files and their formats. */
    public static final EraChoice<String> CGROUP_FS = EraChoice.policy("cgroupfs", CgroupFsLayout.class,
                    CgroupFsLayout.V4_8.policyName())
            .since(V4_18, CgroupFsLayout.V4_18.policyName())
            .since(V5_9, CgroupFsLayout.V5_9.policyName())
            .since(V5_10, CgroupFsLayout.V5_10.policyName())
            .since(LATEST, CgroupFsLayout.LATEST.policyName());

    /** How slab objects are charged: cache clones, then obj_cgroup vectors. */
    public static final EraChoice<String> SLAB_ACCOUNTING = EraChoice.policy("slab accounting",
                    SlabAccounting.class, SlabAccounting.CGROUP_CACHES.policyName())
            .since(V5_9, SlabAccounting.OBJCG_5_9.policyName())
            .since(V5_10, SlabAccounting.OBJCG_5_10.policyName())
            .since(V5_11, SlabAccounting.OBJCG_5_11.policyName())
            .since(LATEST, SlabAccounting.OBJCG_LATEST.policyName());

    /** memcg's choices, in table order. */
    public static final EraDescriptor DESCRIPTOR = EraDescriptor.of("memcg", KMEM, CONFIG, MEMORY_STAT, CGROUP_FS,
            SLAB_ACCOUNTING);

    private MemcgEras() {
    }

    /** The era table's cell for a config: "32, V4_8, v1 kmem counter". */
    private static String describe(MemcgConfig c) {
        return c.chargeBatch() + ", " + c.chargeSemantics()
                + (c.kmemUnchargeViaStock() ? ", uncharge via stock" : "")
                + (c.v1KmemCounter() ? ", v1 kmem counter" : "");
    }
}
