package org.mmemu.kernel;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Binder;
import com.google.inject.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.mm.PageTableGfp;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.MapcountWord.Encoding;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.memcg.ChargeSemantics;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.memcg.fs.CgroupFsLayout;
import org.mmemu.memcg.kmem.ExplicitHelpersPolicy;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.kmem.MemcgDataFlagPolicy;
import org.mmemu.memcg.kmem.ObjcgPolicy;
import org.mmemu.memcg.kmem.PageTypePolicy;
import org.mmemu.memcg.stat.MemoryStatFormat;
import org.mmemu.s390.FragmentLayout;

/**
 * The kernel releases the emulator can be: each constant is a preset that selects, by name, a
 * coherent policy for every era-dependent choice of every module, so one scenario can be run
 * under each era and the differences observed ({@link Kernel#boot} installs it; {@link #module()}
 * gives it to a hand-built injector).
 *
 * <pre>
 *  era    page types   gfp   vm_insert_page  x86 page   kmem             memcg config      memory.stat  cgroupfs  s390 layout
 *                            refuses         tables                      (batch, charge)
 *  V4_7   Value46      V4_8  AnonOnly        Kernel46   ExplicitHelpers  32, V4_8, v1 kmem V4_8         V4_8      Mapcount48
 *  V4_8   Value48      V4_8  AnonOnly        Account48  PageType         32, V4_8          V4_8         V4_8      Mapcount48
 *  V4_18  Bits418      V4_8  AnonOnly        Account48  PageType         32, V4_8          V4_18        V4_18     Refcount418
 *  V5_9   Bits50       V5_11 AnonSlabTyped   Account48  PageType         32, V5_10         V5_10        V5_10     Refcount418
 *  V5_10  Bits50       V5_11 AnonSlabTyped   Account48  PageType         32, V5_10         V5_10        V5_10     Refcount418
 *  V5_11  Bits511      V5_11 AnonSlabTyped   Account48  MemcgDataFlag    32, V5_10, stock  V5_11        V5_10     Refcount418
 *  LATEST TopByte613   V5_11 AnonSlabTyped   Account48  Objcg            64, LATEST, stock Latest       Latest    WholePage68
 * </pre>
 *
 * <p>4.18's memory.stat (4.19's too) is 4.8's plus {@code shmem}, the reclaim events and the
 * workingset counts; its cgroup files add {@code oom_kill} to memory.events, and cgroup.stat,
 * without 4.19's memory.oom.group or the later memory.events.local and {@code frozen} line.
 *
 * <p>Choices the reference leaves open, and why:
 * <ul>
 *   <li>4.7 keeps the cgroup-v1 {@code kmem} counter: 4.6's {@code memcg_kmem_charge}
 *       charges {@code memcg->kmem} on every hierarchy, 4.8's only on cgroup v1; 4.7 is taken
 *       to be like 4.6. That counter is where the helper era's {@code put_page} leak shows.</li>
 *   <li>4.18 runs the 4.8 charge path: the memcg OOM killer moved back into the charge path
 *       in 4.19 ("memcg, oom: move out_of_memory back to the charge path").</li>
 *   <li>5.9 and 5.10 print gfp masks with the 5.11 values: the renumbering
 *       ({@code __GFP_ZERO} 0x100, {@code __GFP_ACCOUNT} 0x400000) predates them (a 5.10
 *       gfp.h has them); 4.18 keeps the 4.8 values, which 4.19 still has.</li>
 *   <li>s390 fragment bits: {@code _mapcount} until 4.17, {@code _refcount} from 4.18 (commit
 *       620b4e903179), a whole page per table in the latest kernels. s390 never allocates page
 *       tables with {@code __GFP_ACCOUNT}, so no era selects {@code s390gfp.Account}. The layout
 *       is selected in every machine and takes effect where {@code S390Module} is installed.</li>
 * </ul>
 */
public enum Era {
    /** 4.7: kmem charged only through {@code alloc_kmem_pages}; nothing marks the page but its memcg. */
    V4_7("4.7", Encoding.VALUE_4_6, GfpLayout.V4_8, InsertPagePolicy.Rules.ANON_ONLY,
            PageTableGfp.Eras.KERNEL_4_6, ExplicitHelpersPolicy.NAME, Configs.V4_7,
            MemoryStatFormat.V4_8, CgroupFsLayout.V4_8, FragmentLayout.Eras.MAPCOUNT_4_8),
    /** 4.8: {@code __GFP_ACCOUNT} charged in the allocator, PageKmemcg = -512 in {@code _mapcount}. */
    V4_8("4.8", Encoding.VALUE_4_8, GfpLayout.V4_8, InsertPagePolicy.Rules.ANON_ONLY,
            PageTableGfp.Eras.ACCOUNT_4_8, PageTypePolicy.NAME, Configs.V4_8,
            MemoryStatFormat.V4_8, CgroupFsLayout.V4_8, FragmentLayout.Eras.MAPCOUNT_4_8),
    /** 4.18: page types are bits of {@code page_type}; s390 fragment bits move to {@code _refcount}. */
    V4_18("4.18", Encoding.BITS_4_18, GfpLayout.V4_8, InsertPagePolicy.Rules.ANON_ONLY,
            PageTableGfp.Eras.ACCOUNT_4_8, PageTypePolicy.NAME, Configs.V4_8,
            MemoryStatFormat.V4_18, CgroupFsLayout.V4_18, FragmentLayout.Eras.REFCOUNT_4_18),
    /** 5.9: typed pages refused by {@code vm_insert_page}; the OOM killer in the charge path. */
    V5_9("5.9", Encoding.BITS_5_0, GfpLayout.V5_11, InsertPagePolicy.Rules.ANON_SLAB_TYPED,
            PageTableGfp.Eras.ACCOUNT_4_8, PageTypePolicy.NAME, Configs.V5_10,
            MemoryStatFormat.V5_10, CgroupFsLayout.V5_10, FragmentLayout.Eras.REFCOUNT_4_18),
    /** 5.10: as 5.9 for every policy here (its difference, the from_obj race fix, is slab's). */
    V5_10("5.10", Encoding.BITS_5_0, GfpLayout.V5_11, InsertPagePolicy.Rules.ANON_SLAB_TYPED,
            PageTableGfp.Eras.ACCOUNT_4_8, PageTypePolicy.NAME, Configs.V5_10,
            MemoryStatFormat.V5_10, CgroupFsLayout.V5_10, FragmentLayout.Eras.REFCOUNT_4_18),
    /** 5.11: the kmem mark is {@code MEMCG_DATA_KMEM} in {@code memcg_data}; kmem pages are mappable. */
    V5_11("5.11", Encoding.BITS_5_11, GfpLayout.V5_11, InsertPagePolicy.Rules.ANON_SLAB_TYPED,
            PageTableGfp.Eras.ACCOUNT_4_8, MemcgDataFlagPolicy.NAME, Configs.V5_11,
            MemoryStatFormat.V5_11, CgroupFsLayout.V5_10, FragmentLayout.Eras.REFCOUNT_4_18),
    /** The latest kernel (6.13): obj_cgroup kmem pages, top-byte page types, batch 64. */
    LATEST("latest", Encoding.TOP_BYTE_6_13, GfpLayout.V5_11, InsertPagePolicy.Rules.ANON_SLAB_TYPED,
            PageTableGfp.Eras.ACCOUNT_4_8, ObjcgPolicy.NAME, MemcgConfig.LATEST,
            MemoryStatFormat.LATEST, CgroupFsLayout.LATEST, FragmentLayout.Eras.WHOLE_PAGE_6_8);

    private final String version;
    private final Map<Class<?>, String> policies;
    private final MemcgConfig memcgConfig;

    @SuppressWarnings("checkstyle:ParameterNumber")
    Era(String version, PageTypeEncoding pageTypes, GfpLayout gfp, InsertPagePolicy insertPage,
        PageTableGfp pageTableGfp, String kmem, MemcgConfig memcgConfig, MemoryStatFormat memoryStat,
        CgroupFsLayout cgroupFs, FragmentLayout s390Layout) {
        this.version = version;
        Map<Class<?>, String> p = new LinkedHashMap<>();
        p.put(PageTypeEncoding.class, pageTypes.policyName());
        p.put(GfpLayout.class, "gfp." + gfp.name());
        p.put(InsertPagePolicy.class, insertPage.policyName());
        p.put(PageTableGfp.class, pageTableGfp.policyName());
        p.put(KmemAccountingPolicy.class, kmem);
        p.put(MemoryStatFormat.class, memoryStat.policyName());
        p.put(CgroupFsLayout.class, cgroupFs.policyName());
        p.put(FragmentLayout.class, s390Layout.policyName());
        this.policies = Collections.unmodifiableMap(p);
        this.memcgConfig = memcgConfig;
    }

    /** The kernel version, as users name it ("4.8", "5.11", "latest"). */
    public String version() {
        return version;
    }

    /** The policy this era selects for each kind, by its dotted name, in the table's order. */
    public Map<Class<?>, String> policies() {
        return policies;
    }

    /** The policy name this era selects for {@code kind}, or null if the era leaves it alone. */
    public String policy(Class<?> kind) {
        return policies.get(kind);
    }

    /** The era's memcg knobs: charge batch, charge path, kmem uncharge route, v1 kmem counter. */
    public MemcgConfig memcgConfig() {
        return memcgConfig;
    }

    /**
     * The preset as a Guice module: selects every policy of {@link #policies()} and binds
     * {@link #memcgConfig()}. Install it beside {@code MmCoreModule} and {@code MemcgModule}
     * (and {@code S390Module} for s390 page tables). To change one of its choices, override the
     * module ({@code Modules.override(era.module()).with(...)}), as {@link Kernel#boot} does
     * with its extra modules.
     */
    public Module module() {
        return this::configure;
    }

    private void configure(Binder binder) {
        policies.forEach((kind, name) -> select(binder, kind, name));
        MemcgModule.config(binder).setBinding().toInstance(memcgConfig);
    }

    private static <T> void select(Binder binder, Class<T> kind, String name) {
        policyBinder(binder, kind).select(name);
    }

    @Override
    public String toString() {
        return name() + " (" + version + ")";
    }

    /** The memcg configurations of the eras before the latest. */
    private static final class Configs {
        static final MemcgConfig V4_8 = MemcgConfig.LATEST.withChargeBatch(32)
                .withChargeSemantics(ChargeSemantics.V4_8).withKmemUnchargeViaStock(false);
        static final MemcgConfig V4_7 = V4_8.withV1KmemCounter(true);
        static final MemcgConfig V5_10 = V4_8.withChargeSemantics(ChargeSemantics.V5_10);
        static final MemcgConfig V5_11 = V5_10.withKmemUnchargeViaStock(true);

        private Configs() {
        }
    }
}
