package org.mmemu.memcg;

import static java.util.Objects.requireNonNull;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.alloc.KmemPageHelpers;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.sched.TaskHooks;
import org.mmemu.memcg.fs.CgroupFs;
import org.mmemu.memcg.fs.CgroupFsLayout;
import org.mmemu.memcg.kmem.ExplicitHelpersPolicy;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.kmem.KmemHooks;
import org.mmemu.memcg.kmem.KmemPages;
import org.mmemu.memcg.kmem.KmemServices;
import org.mmemu.memcg.kmem.KmemStaticKey;
import org.mmemu.memcg.kmem.MemcgDataFlagPolicy;
import org.mmemu.memcg.kmem.ObjcgPolicy;
import org.mmemu.memcg.kmem.PageTypePolicy;
import org.mmemu.memcg.stat.MemcgPageStats;
import org.mmemu.memcg.stat.MemoryStatFormat;

/**
 * Binds the memory cgroup controller on top of {@code MmCoreModule}: the hierarchy, charging,
 * obj_cgroups, the kmem accounting policies and their hooks in mm-core's page paths.
 *
 * <p>Era knobs, defaults = the latest kernel:
 * <ul>
 *   <li>{@link MemcgConfig} (batch, nokmem, charge semantics, stock-based kmem uncharge): an
 *       {@code OptionalBinder}, override with {@link #config(Binder)}{@code .setBinding()};</li>
 *   <li>{@link KmemAccountingPolicy}: {@code kmem.ExplicitHelpers}, {@code kmem.PageType},
 *       {@code kmem.MemcgDataFlag}, {@code kmem.Objcg} (default), selected with
 *       {@code policyBinder(binder, KmemAccountingPolicy.class).select(name)};</li>
 *   <li>{@link MemoryStatFormat}: {@code memstat.V4_8}, {@code memstat.V4_18}, {@code memstat.V5_9},
 *       {@code memstat.V5_10}, {@code memstat.V5_11}, {@code memstat.Latest} (default);</li>
 *   <li>{@link CgroupFsLayout}: {@code cgroupfs.V4_8}, {@code cgroupfs.V4_18},
 *       {@code cgroupfs.V5_9}, {@code cgroupfs.V5_10}, {@code cgroupfs.Latest} (default);</li>
 *   <li>{@link SlabAccounting}: {@code slabacct.CgroupCaches}, {@code slabacct.Objcg59},
 *       {@code slabacct.Objcg510}, {@code slabacct.Objcg511}, {@code slabacct.ObjcgLatest}
 *       (default).</li>
 * </ul>
 * Modules that give tasks memory add a {@link TaskMemory} with {@link #taskMemory(Binder)};
 * modules that hold charges no page carries declare them with {@link #chargeOwners(Binder)};
 * modules that keep per-cgroup state follow the cgroups' lives with
 * {@link MemcgLifecycle#listeners(Binder)}.
 * {@link MemcgChargeCheck} joins mm-core's consistency checks, so every test that runs them ends
 * with a charge check.
 */
public final class MemcgModule implements Module {
    private final MemcgConfig config;

    /** The latest kernel's configuration. */
    public MemcgModule() {
        this(MemcgConfig.LATEST);
    }

    /** A machine whose default {@link MemcgConfig} is {@code config}. */
    public MemcgModule(MemcgConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /** The {@link MemcgConfig} binding, for presets that override it. */
    public static OptionalBinder<MemcgConfig> config(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, MemcgConfig.class);
    }

    /** Registers holders of charges no page carries, for {@link MemcgChargeCheck}. */
    public static Multibinder<ChargeOwner> chargeOwners(Binder binder) {
        return Multibinder.newSetBinder(binder, ChargeOwner.class);
    }

    /**
     * The memory behind obj_cgroup vectors: whole pages by default
     * ({@link PageObjCgroupVectorMemory}); the slab module sets its kmalloc with
     * {@code setBinding()}.
     */
    public static OptionalBinder<ObjCgroupVectorMemory> objcgVectorMemory(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, ObjCgroupVectorMemory.class);
    }

    /** Registers the OOM killer's view of what tasks hold. */
    public static Multibinder<TaskMemory> taskMemory(Binder binder) {
        return Multibinder.newSetBinder(binder, TaskMemory.class);
    }

    @Override
    public void configure(Binder binder) {
        config(binder).setDefault().toInstance(config);
        taskMemory(binder);
        chargeOwners(binder);
        MemcgLifecycle.listeners(binder);
        binder.bind(MemcgTaskHooks.class).in(MachineScoped.class);
        TaskHooks.forkHooks(binder).add(MemcgTaskHooks.class);
        TaskHooks.exitHooks(binder).add(MemcgTaskHooks.class);

        binder.bind(CgroupTree.class).in(MachineScoped.class);
        binder.bind(ChargeStock.class).in(MachineScoped.class);
        binder.bind(OomKiller.class).in(MachineScoped.class);
        binder.bind(MemcgCharger.class).in(MachineScoped.class);
        binder.bind(CurrentMemcg.class).in(MachineScoped.class);
        binder.bind(ObjCgroups.class).in(MachineScoped.class);
        binder.bind(MemcgData.class).in(MachineScoped.class);
        binder.bind(Cgroups.class).in(MachineScoped.class);
        binder.bind(MemoryStat.class).in(MachineScoped.class);
        binder.bind(PageObjCgroupVectorMemory.class).in(MachineScoped.class);
        objcgVectorMemory(binder).setDefault().to(PageObjCgroupVectorMemory.class);
        binder.bind(ObjCgroupVectors.class).in(MachineScoped.class);
        binder.bind(MemcgSlabHooks.class).in(MachineScoped.class);
        binder.bind(MemcgSlabPages.class).in(MachineScoped.class);
        var slabDesigns = policyBinder(binder, SlabAccounting.class);
        for (SlabAccounting d : SlabAccounting.values()) {
            slabDesigns.register(d.policyName(), d);
        }
        slabDesigns.setDefault(SlabAccounting.OBJCG_LATEST.policyName());
        binder.bind(CgroupFs.class).in(MachineScoped.class);

        var layouts = policyBinder(binder, CgroupFsLayout.class);
        for (CgroupFsLayout l : CgroupFsLayout.values()) {
            layouts.register(l.policyName(), l);
        }
        layouts.setDefault(CgroupFsLayout.LATEST.policyName());

        var statFormats = policyBinder(binder, MemoryStatFormat.class);
        for (MemoryStatFormat f : MemoryStatFormat.values()) {
            statFormats.register(f.policyName(), f);
        }
        statFormats.setDefault(MemoryStatFormat.LATEST.policyName());

        binder.bind(KmemServices.class).in(MachineScoped.class);
        binder.bind(KmemStaticKey.class).in(MachineScoped.class);
        binder.bind(KmemHooks.class).in(MachineScoped.class);
        binder.bind(KmemPages.class).in(MachineScoped.class);
        KmemPageHelpers.binder(binder).setBinding().to(KmemPages.class);
        binder.bind(ExplicitHelpersPolicy.class).in(MachineScoped.class);
        binder.bind(PageTypePolicy.class).in(MachineScoped.class);
        binder.bind(MemcgDataFlagPolicy.class).in(MachineScoped.class);
        binder.bind(ObjcgPolicy.class).in(MachineScoped.class);
        policyBinder(binder, KmemAccountingPolicy.class)
                .register(ExplicitHelpersPolicy.NAME, ExplicitHelpersPolicy.class)
                .register(PageTypePolicy.NAME, PageTypePolicy.class)
                .register(MemcgDataFlagPolicy.NAME, MemcgDataFlagPolicy.class)
                .register(ObjcgPolicy.NAME, ObjcgPolicy.class)
                .setDefault(ObjcgPolicy.NAME);

        PageHooks.allocHooks(binder).add(KmemHooks.class);
        PageHooks.freeHooks(binder).add(KmemHooks.class);
        PageHooks.releaseHooks(binder).add(KmemHooks.class);
        binder.bind(MemcgPageStats.class).in(MachineScoped.class);
        PageHooks.statHooks(binder).add(MemcgPageStats.class);

        binder.bind(MemcgChargeCheck.class).in(MachineScoped.class);
        ConsistencyChecks.consistencyChecks(binder).add(MemcgChargeCheck.class);
    }
}
