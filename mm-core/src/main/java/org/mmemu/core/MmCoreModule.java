package org.mmemu.core;

import static java.util.Objects.requireNonNull;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.FreePageChecks;
import org.mmemu.core.alloc.PageAllocTexts;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.alloc.PageRefs;
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
 * Every binding is a singleton of the injector, so two injectors are two independent machines.
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
        binder.bind(KernelLog.class).in(Scopes.SINGLETON);
        binder.bind(Jiffies.class).in(Scopes.SINGLETON);
        binder.bind(KernelObjects.class).in(Scopes.SINGLETON);
        binder.bind(BadPageReporter.class).in(Scopes.SINGLETON);
        binder.bind(FreePageChecks.class).in(Scopes.SINGLETON);
        binder.bind(PageHooks.class).in(Scopes.SINGLETON);
        binder.bind(PhysicalMemory.class).in(Scopes.SINGLETON);
        binder.bind(PageAllocator.class).in(Scopes.SINGLETON);
        binder.bind(PageRefs.class).in(Scopes.SINGLETON);
        binder.bind(Rcu.class).in(Scopes.SINGLETON);
        binder.bind(PageTableCtor.class).in(Scopes.SINGLETON);
        binder.bind(GenericPageTableAllocator.class).in(Scopes.SINGLETON);
        binder.bind(Rmap.class).in(Scopes.SINGLETON);
        binder.bind(MemoryMapping.class).in(Scopes.SINGLETON);
        binder.bind(AddressSpaces.class).in(Scopes.SINGLETON);
        binder.bind(Mprotect.class).in(Scopes.SINGLETON);
        binder.bind(Vmalloc.class).in(Scopes.SINGLETON);
        binder.bind(UserStructs.class).in(Scopes.SINGLETON);
        binder.bind(OpenFiles.class).in(Scopes.SINGLETON);
        binder.bind(AnonInodes.class).in(Scopes.SINGLETON);
        binder.bind(FileLeakCheck.class).in(Scopes.SINGLETON);
        binder.bind(Creds.class).in(Scopes.SINGLETON);
        binder.bind(Prlimit.class).in(Scopes.SINGLETON);
        binder.bind(Fork.class).in(Scopes.SINGLETON);
        binder.bind(Exit.class).in(Scopes.SINGLETON);
        TaskHooks.forkHooks(binder);
        TaskHooks.exitHooks(binder);
        binder.bind(KernelMemory.class).in(Scopes.SINGLETON);
        binder.bind(UserCopy.class).in(Scopes.SINGLETON);

        PageHooks.allocHooks(binder);
        PageHooks.freeHooks(binder);
        PageHooks.releaseHooks(binder);
        PageHooks.statHooks(binder);
        binder.bind(PageStats.class).in(Scopes.SINGLETON);

        binder.bind(RcuCheck.class).in(Scopes.SINGLETON);
        binder.bind(BuddyCheck.class).in(Scopes.SINGLETON);
        binder.bind(PageLeakCheck.class).in(Scopes.SINGLETON);
        binder.bind(PagePoisonCheck.class).in(Scopes.SINGLETON);
        binder.bind(ConsistencyChecks.class).in(Scopes.SINGLETON);
        binder.bind(Expectations.class).in(Scopes.SINGLETON);
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
    @Singleton
    MemMap memMap(MemoryConfig config) {
        return MemMap.deferred(config.nrPages(), pfn -> 0);
    }

    @Provides
    @Singleton
    Cpus cpus(MemoryConfig config) {
        return new Cpus(config.cpus());
    }

    @Provides
    @Singleton
    Tasks tasks(Cpus cpus, InitRlimits initRlimits, UserStructs users, OpenFiles openFiles) {
        return new Tasks(cpus, initRlimits, users, openFiles);
    }

    @Provides
    @Singleton
    VmStat vmStat(Cpus cpus) {
        return new VmStat(cpus);
    }

    @Provides
    @Singleton
    DumpPage dumpPage(MemMap memMap) {
        return new DumpPage(memMap);
    }

    @Provides
    @Singleton
    PageTypes pageTypes(PageTypeEncoding encoding, DumpPage dumpPage) {
        return new PageTypes(encoding, dumpPage);
    }
}
