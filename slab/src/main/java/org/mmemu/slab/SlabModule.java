package org.mmemu.slab;

import static org.mmemu.core.check.ConsistencyChecks.consistencyChecks;
import static org.mmemu.core.check.ConsistencyChecks.pageOwners;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import java.util.function.Function;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.memcg.CurrentMemcg;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.MemcgLifecycle;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.memcg.MemcgSlabHooks;
import org.mmemu.memcg.MemcgSlabPages;
import org.mmemu.memcg.kmem.KmemStaticKey;

/**
 * Plugs SLUB into a machine, beside {@code MmCoreModule}: slab caches ({@link SlabCaches}), the
 * allocator ({@link Slub}), kmalloc ({@link Kmalloc}), the slab consistency check, and the slab
 * pages' owner for the leak check. Slab accounting is bound as {@link SlabAccounting}
 * ({@code OptionalBinder.newOptionalBinder(binder, SlabAccounting.class).setBinding()}); by
 * default it follows memcg's era design ({@code slabacct.*}) when memcg is wired: objects are
 * charged to obj_cgroups from 5.9, through per-cgroup cache clones ({@link MemcgCaches}, a
 * cgroup lifecycle listener) before; nothing is accounted without memcg. The obj_cgroup vectors come from
 * kmalloc, and the live objects' charges are declared to memcg's charge check.
 *
 * <p>Policies (the defaults are the latest era's; {@link SlabEras} has each era's):
 * <ul>
 *   <li>{@link SlabPageLayout}: {@code slablayout.Mapcount48} (needs a value page-type
 *       encoding), {@code slablayout.Counters418}, {@code slablayout.Typed610} (default; needs
 *       {@code pagetype.TopByte613});</li>
 *   <li>{@link FreePointerOffset}: {@code freeptr.Start}, {@code freeptr.Middle57} (default);</li>
 *   <li>{@link SlabOrder}: {@code slaborder.Classic}, {@code slaborder.MinOrder68} (default);</li>
 *   <li>{@link KmallocLargePages}: {@code kmalloclarge.KmemPages} (4.7), {@code kmalloclarge.AllocPages}
 *       (default);</li>
 *   <li>{@link SlubTexts}: {@code slubtexts.Info48}, {@code slubtexts.Plain6x} (default);</li>
 *   <li>{@link KmallocNames}: {@code kmallocnames.Bytes}, {@code kmallocnames.Short52} (default);</li>
 *   <li>{@link KmallocTypes}: {@code kmalloctypes.Normal}, {@code kmalloctypes.Reclaim420},
 *       {@code kmalloctypes.Cgroup514} (default; its cg caches need memcg's kmem accounting);</li>
 *   <li>{@link MemcgFromObjReader} ({@link MemCgroupFromObj}): {@code fromobj.Racy59},
 *       {@code fromobj.NullFirst510}, {@code fromobj.Checked511} (default);</li>
 *   <li>{@link CloneDeactivation} (up to 5.8, {@link MemcgCaches}): {@code clonedeact.KickCpus},
 *       {@code clonedeact.SyncSched48}, {@code clonedeact.RcuWork411} (default, the last design
 *       that had clones).</li>
 * </ul>
 */
public final class SlabModule extends AbstractModule {
    private final SlabConfig config;

    /** SLUB with the kernel's boot defaults. */
    public SlabModule() {
        this(SlabConfig.DEFAULT);
    }

    /** SLUB booted with {@code config} ({@link SlabConfig#SLUB_DEBUG} for slub_debug=F). */
    public SlabModule(SlabConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(SlabConfig.class).toInstance(config);
        bind(SlabPages.class).in(MachineScoped.class);
        bind(SlubDebug.class).in(MachineScoped.class);
        bind(Slub.class).in(MachineScoped.class);
        bind(SlabCaches.class).in(MachineScoped.class);
        bind(Kmalloc.class).in(MachineScoped.class);
        bind(SlabCheck.class).in(MachineScoped.class);
        bind(KmallocVectorMemory.class).in(MachineScoped.class);
        bind(SlabObjectCharges.class).in(MachineScoped.class);
        bind(MemCgroupFromObj.class).in(MachineScoped.class);
        bind(MemcgCaches.class).in(MachineScoped.class);
        MemcgLifecycle.listeners(binder()).addBinding().to(MemcgCaches.class);
        OptionalBinder.newOptionalBinder(binder(), MemcgData.class);
        OptionalBinder.newOptionalBinder(binder(), SlabAccounting.class).setDefault()
                .toProvider(SlabAccountingProvider.class).in(MachineScoped.class);
        // memcg's slab hooks, present when memcg is wired; the vectors they attach come from kmalloc.
        OptionalBinder.newOptionalBinder(binder(), MemcgSlabHooks.class);
        OptionalBinder.newOptionalBinder(binder(), KmemStaticKey.class);
        // ... and, up to 5.8, the current cgroup and the charge of a clone's whole slab pages.
        OptionalBinder.newOptionalBinder(binder(), CurrentMemcg.class);
        OptionalBinder.newOptionalBinder(binder(), MemcgSlabPages.class);
        MemcgModule.objcgVectorMemory(binder()).setBinding().to(KmallocVectorMemory.class);
        MemcgModule.chargeOwners(binder()).addBinding().to(SlabObjectCharges.class);
        // memcg's configuration, present when memcg is wired: the kmalloc-cg caches exist only with kmem accounting.
        OptionalBinder.newOptionalBinder(binder(), MemcgConfig.class);

        policies(SlabPageLayout.class, SlabPageLayout.Eras.values(), SlabPageLayout::policyName,
                SlabPageLayout.Eras.TYPED_6_10);
        policies(FreePointerOffset.class, FreePointerOffset.Eras.values(), FreePointerOffset::policyName,
                FreePointerOffset.Eras.MIDDLE_5_7);
        policies(SlabOrder.class, SlabOrder.Eras.values(), SlabOrder::policyName, SlabOrder.Eras.MIN_ORDER_6_8);
        policies(KmallocLargePages.class, KmallocLargePages.Eras.values(), KmallocLargePages::policyName,
                KmallocLargePages.Eras.ALLOC_PAGES);
        policies(SlubTexts.class, SlubTexts.values(), SlubTexts::policyName, SlubTexts.PLAIN_6_X);
        policies(KmallocNames.class, KmallocNames.Eras.values(), KmallocNames::policyName,
                KmallocNames.Eras.SHORT_5_2);
        policies(KmallocTypes.class, KmallocTypes.Eras.values(), KmallocTypes::policyName,
                KmallocTypes.Eras.CGROUP_5_14);
        policies(MemcgFromObjReader.class, MemcgFromObjReader.Eras.values(), MemcgFromObjReader::policyName,
                MemcgFromObjReader.Eras.CHECKED_5_11);
        policies(CloneDeactivation.class, CloneDeactivation.Eras.values(), CloneDeactivation::policyName,
                CloneDeactivation.Eras.RCU_WORK_4_11);

        consistencyChecks(binder()).add(SlabCheck.class);
        pageOwners(binder()).add(SlabCaches.class);
    }

    /** Registers every policy of {@code kind} under its name, {@code latest} the default. */
    private <T> void policies(Class<T> kind, T[] all, Function<T, String> name, T latest) {
        PolicyBinder<T> binder = policyBinder(binder(), kind);
        for (T policy : all) {
            binder.register(name.apply(policy), policy);
        }
        binder.setDefault(name.apply(latest));
    }
}
