package org.mmemu.memcg;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.mm.PageTableGfp;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.memcg.fs.CgroupFsLayout;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.stat.MemoryStatFormat;

/**
 * The era combinations memcg's tests run under, one line each (the kernel module owns the real
 * presets): the memcg config, the kmem design, the page-type encoding, what
 * {@code vm_insert_page} refuses, whether page tables are accounted, and the memory.stat and
 * cgroupfs layouts of those kernels.
 */
public enum TestEra {
    //     config         kmem accounting         page types             vm_insert_page  page tables  memory.stat      cgroupfs
    V4_7(Configs.V4_7, "kmem.ExplicitHelpers", "pagetype.Value46", Configs.ANON, Configs.PT46, "memstat.V4_8", "cgroupfs.V4_8"),
    V4_8(Configs.V4_8, "kmem.PageType", "pagetype.Value48", Configs.ANON, Configs.PT48, "memstat.V4_8", "cgroupfs.V4_8"),
    V4_18(Configs.V4_8, "kmem.PageType", "pagetype.Bits418", Configs.ANON, Configs.PT48, "memstat.V4_18", "cgroupfs.V4_18"),
    V5_9(Configs.V5_10, "kmem.PageType", "pagetype.Bits50", Configs.TYPED, Configs.PT48, "memstat.V5_9", "cgroupfs.V5_9"),
    V5_10(Configs.V5_10, "kmem.PageType", "pagetype.Bits50", Configs.TYPED, Configs.PT48, "memstat.V5_10", "cgroupfs.V5_10"),
    V5_11(Configs.V5_11, "kmem.MemcgDataFlag", "pagetype.Bits511", Configs.TYPED, Configs.PT48, "memstat.V5_11", "cgroupfs.V5_10"),
    LATEST(MemcgConfig.LATEST, "kmem.Objcg", "pagetype.TopByte613", Configs.TYPED, Configs.PT48, "memstat.Latest", "cgroupfs.Latest");

    /** The memcg configs of the eras (numbers and switches rather than policies), and short names. */
    public static final class Configs {
        static final String ANON = "insertpage.AnonOnly";
        static final String TYPED = "insertpage.AnonSlabTyped";
        static final String PT46 = "pgtablegfp.Kernel46";
        static final String PT48 = "pgtablegfp.Account48";

        public static final MemcgConfig V4_7 = MemcgConfig.LATEST.withChargeBatch(32)
                .withChargeSemantics(ChargeSemantics.V4_8).withKmemUnchargeViaStock(false).withV1KmemCounter(true);
        public static final MemcgConfig V4_8 = V4_7.withV1KmemCounter(false);
        public static final MemcgConfig V5_10 = V4_8.withChargeSemantics(ChargeSemantics.V5_10);
        public static final MemcgConfig V5_11 = V5_10.withKmemUnchargeViaStock(true);

        private Configs() {
        }
    }

    private final MemcgConfig config;
    private final String kmem;
    private final String pageTypes;
    private final String insertPage;
    private final String pageTableGfp;
    private final String memoryStat;
    private final String cgroupFs;

    TestEra(MemcgConfig config, String kmem, String pageTypes, String insertPage, String pageTableGfp,
            String memoryStat, String cgroupFs) {
        this.config = config;
        this.kmem = kmem;
        this.pageTypes = pageTypes;
        this.insertPage = insertPage;
        this.pageTableGfp = pageTableGfp;
        this.memoryStat = memoryStat;
        this.cgroupFs = cgroupFs;
    }

    public MemcgConfig config() {
        return config;
    }

    /** The era's policy selections, for a machine whose MemcgModule has {@link #config()}. */
    public Module policies() {
        return binder -> {
            policyBinder(binder, KmemAccountingPolicy.class).select(kmem);
            policyBinder(binder, PageTypeEncoding.class).select(pageTypes);
            policyBinder(binder, InsertPagePolicy.class).select(insertPage);
            policyBinder(binder, PageTableGfp.class).select(pageTableGfp);
            policyBinder(binder, MemoryStatFormat.class).select(memoryStat);
            policyBinder(binder, CgroupFsLayout.class).select(cgroupFs);
        };
    }

    /** memcg of this era with its policies: what a MachineExtension or TestMachine installs. */
    public Module module() {
        return binder -> {
            binder.install(new MemcgModule(config));
            binder.install(policies());
        };
    }

    /** A 64 MiB machine of this era, plus {@code extra} modules. */
    public MemcgMachine boot(Module... extra) {
        List<Module> all = new ArrayList<>(List.of(extra));
        all.add(policies());
        return MemcgMachine.boot(config, all.toArray(new Module[0]));
    }
}
