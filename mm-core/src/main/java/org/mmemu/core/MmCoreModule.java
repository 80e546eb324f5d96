package org.mmemu.core;

import static java.util.Objects.requireNonNull;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Provides;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.FreePageChecks;
import org.mmemu.core.alloc.KmemPageHelpers;
import org.mmemu.core.alloc.PageAllocTexts;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.alloc.PlainKmemPages;
import org.mmemu.core.check.BuddyCheck;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.check.Expectations;
import org.mmemu.core.check.PageLeakCheck;
import org.mmemu.core.check.PagePoisonCheck;
import org.mmemu.core.cred.Creds;
import org.mmemu.core.cred.InitRlimits;
import org.mmemu.core.cred.Prlimit;
import org.mmemu.core.cred.UserStructs;
import org.mmemu.core.fs.AnonInodes;
import org.mmemu.core.fs.FileLeakCheck;
import org.mmemu.core.fs.OpenFiles;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.GenericPageTableAllocator;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.Mprotect;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.mm.PageTableCtor;
import org.mmemu.core.mm.PageTableGfp;
import org.mmemu.core.mm.Rmap;
import org.mmemu.core.mm.UserCopy;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.MapcountWord.Encoding;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.MemMapHeap;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.rcu.RcuCheck;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.Fork;
import org.mmemu.core.sched.Jiffies;
import org.mmemu.core.sched.TaskHooks;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.core.vmstat.PageStats;
import org.mmemu.core.vmstat.VmStat;

/**
 * Binds one machine's page-frame layer: the mem_map and the RAM behind it, the allocator,
 * refcounting, CPUs and tasks, the kernel log, and mm-core's policies with the latest kernel's
 * behaviour as default.
 * Every service is {@link MachineScoped}: one instance per machine, so two machines are independent,
 * whether two injectors serve them or one injector, recycled, serves them one after the other.
 * mm-core's {@link ConsistencyChecks} (buddy invariants, page leaks, the poison of free pages)
 * are bound here too.
 *
 * <p>Policies (override with {@link org.mmemu.core.policy.PolicyBinder#select}):
 * <ul>
 *   <li>{@link PageTypeEncoding}: {@code pagetype.Value46}, {@code pagetype.Value48},
 *       {@code pagetype.Bits418}, {@code pagetype.Bits50}, {@code pagetype.Bits511},
 *       {@code pagetype.TopByte613} (default);</li>
 *   <li>{@link GfpLayout}: {@code gfp.V4_8}, {@code gfp.V4_18}, {@code gfp.V5_11} (default), for reports;</li>
 *   <li>{@link PageAllocTexts}: {@code pgalloctexts.V4_7}, {@code pgalloctexts.V4_18},
 *       {@code pgalloctexts.V5_9} (default): bad-page reasons and the allocation-failure line;</li>
 *   <li>{@link PageTableAllocator}: {@code pgtable.Generic} (default; arch-s390 adds its own);</li>
 *   <li>{@link PageTableGfp}: {@code pgtablegfp.Kernel46}, {@code pgtablegfp.Account48} (default);</li>
 *   <li>{@link InsertPagePolicy}: {@code insertpage.AnonOnly},
 *       {@code insertpage.AnonSlabTyped} (default);</li>
 *   <li>{@link InitRlimits}: {@code rlimit.Mlock64K}, {@code rlimit.Mlock8M} (default).</li>
 * </ul>
 */
public final class MmCoreModule implements Module {
    private final MemoryConfig config;

    /**
     * A machine of {@code config}'s size.
     *
     * @throws IllegalArgumentException if its mem_map cannot fit the Java heap
     *         ({@link MemMapHeap#requireFits}): refused here, before anything is built
     */
    public MmCoreModule(MemoryConfig config) {
        this.config = requireNonNull(config, "config is null");
        MemMapHeap.requireFits(config.nrPages());
    }

    @Override
    public void configure(Binder binder) {
        binder.bind(MemoryConfig.class).toInstance(config);
        binder.bind(KernelLog.class).in(MachineScoped.class);
        binder.bind(Jiffies.class).in(MachineScoped.class);
        binder.bind(KernelObjects.class).in(MachineScoped.class);
        binder.bind(BadPageReporter.class).in(MachineScoped.class);
        binder.bind(FreePageChecks.class).in(MachineScoped.class);
        binder.bind(PageHooks.class).in(MachineScoped.class);
        binder.bind(PhysicalMemory.class).in(MachineScoped.class);
        binder.bind(PageAllocator.class).in(MachineScoped.class);
        binder.bind(PageRefs.class).in(MachineScoped.class);
        binder.bind(Rcu.class).in(MachineScoped.class);
        binder.bind(PageTableCtor.class).in(MachineScoped.class);
        binder.bind(GenericPageTableAllocator.class).in(MachineScoped.class);
        binder.bind(Rmap.class).in(MachineScoped.class);
        binder.bind(MemoryMapping.class).in(MachineScoped.class);
        binder.bind(AddressSpaces.class).in(MachineScoped.class);
        binder.bind(Mprotect.class).in(MachineScoped.class);
        binder.bind(Vmalloc.class).in(MachineScoped.class);
        binder.bind(PlainKmemPages.class).in(MachineScoped.class);
        KmemPageHelpers.binder(binder).setDefault().to(PlainKmemPages.class);
        binder.bind(UserStructs.class).in(MachineScoped.class);
        binder.bind(OpenFiles.class).in(MachineScoped.class);
        binder.bind(AnonInodes.class).in(MachineScoped.class);
        binder.bind(FileLeakCheck.class).in(MachineScoped.class);
        binder.bind(Creds.class).in(MachineScoped.class);
        binder.bind(Prlimit.class).in(MachineScoped.class);
        binder.bind(Fork.class).in(MachineScoped.class);
        binder.bind(Exit.class).in(MachineScoped.class);
        TaskHooks.forkHooks(binder);
        TaskHooks.exitHooks(binder);
        binder.bind(KernelMemory.class).in(MachineScoped.class);
        binder.bind(UserCopy.class).in(MachineScoped.class);

        PageHooks.allocHooks(binder);
        PageHooks.freeHooks(binder);
        PageHooks.releaseHooks(binder);
        PageHooks.statHooks(binder);
        binder.bind(PageStats.class).in(MachineScoped.class);

        binder.bind(RcuCheck.class).in(MachineScoped.class);
        binder.bind(BuddyCheck.class).in(MachineScoped.class);
        binder.bind(PageLeakCheck.class).in(MachineScoped.class);
        binder.bind(PagePoisonCheck.class).in(MachineScoped.class);
        binder.bind(ConsistencyChecks.class).in(MachineScoped.class);
        binder.bind(Expectations.class).in(MachineScoped.class);
        // RCU first: callbacks that never ran explain the pages the leak check then finds.
        ConsistencyChecks.consistencyChecks(binder)
                .add(RcuCheck.class).add(BuddyCheck.class).add(PageLeakCheck.class).add(FileLeakCheck.class)
                .add(PagePoisonCheck.class);
        ConsistencyChecks.pageOwners(binder);

        var encodings = policyBinder(binder, PageTypeEncoding.class);
        for (Encoding e : Encoding.values()) {
            encodings.register(e.policyName(), e);
        }
        encodings.setDefault(Encoding.TOP_BYTE_6_13.policyName());

        policyBinder(binder, GfpLayout.class)
                .register("gfp.V4_8", GfpLayout.V4_8)
                .register("gfp.V4_18", GfpLayout.V4_18)
                .register("gfp.V5_11", GfpLayout.V5_11)
                .setDefault("gfp.V5_11");

        var allocTexts = policyBinder(binder, PageAllocTexts.class);
        for (PageAllocTexts.Eras e : PageAllocTexts.Eras.values()) {
            allocTexts.register(e.policyName(), e);
        }
        allocTexts.setDefault(PageAllocTexts.Eras.V5_9.policyName());

        policyBinder(binder, PageTableAllocator.class)
                .register(GenericPageTableAllocator.NAME, GenericPageTableAllocator.class)
                .setDefault(GenericPageTableAllocator.NAME);

        var pgtableGfps = policyBinder(binder, PageTableGfp.class);
        for (PageTableGfp.Eras e : PageTableGfp.Eras.values()) {
            pgtableGfps.register(e.policyName(), e);
        }
        pgtableGfps.setDefault(PageTableGfp.Eras.ACCOUNT_4_8.policyName());

        var insertRules = policyBinder(binder, InsertPagePolicy.class);
        for (InsertPagePolicy.Rules r : InsertPagePolicy.Rules.values()) {
            insertRules.register(r.policyName(), r);
        }
        insertRules.setDefault(InsertPagePolicy.Rules.ANON_SLAB_TYPED.policyName());

        var initRlimits = policyBinder(binder, InitRlimits.class);
        for (InitRlimits.Eras e : InitRlimits.Eras.values()) {
            initRlimits.register(e.policyName(), e);
        }
        initRlimits.setDefault(InitRlimits.Eras.MLOCK_8M.policyName());
    }

    @Provides
    @MachineScoped
    MemMap memMap(MemoryConfig config) {
        return MemMap.deferred(config.nrPages(), pfn -> 0);
    }

    @Provides
    @MachineScoped
    Cpus cpus(MemoryConfig config) {
        return new Cpus(config.cpus());
    }

    @Provides
    @MachineScoped
    Tasks tasks(Cpus cpus, InitRlimits initRlimits, UserStructs users, OpenFiles openFiles) {
        return new Tasks(cpus, initRlimits, users, openFiles);
    }

    @Provides
    @MachineScoped
    VmStat vmStat(Cpus cpus) {
        return new VmStat(cpus);
    }

    @Provides
    @MachineScoped
    DumpPage dumpPage(MemMap memMap) {
        return new DumpPage(memMap);
    }

    @Provides
    @MachineScoped
    PageTypes pageTypes(PageTypeEncoding encoding, DumpPage dumpPage) {
        return new PageTypes(encoding, dumpPage);
    }
}
