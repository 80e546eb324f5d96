package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.kmem.KmemPages;
import org.mmemu.memcg.kmem.KmemStaticKey;

/** memcg's test fixture: a 64 MiB machine with memcg, and the leak check every test ends with. */
public final class MemcgMachine {
    public final Injector injector;
    public final PageAllocator alloc;
    public final PageRefs refs;
    public final MemMap memMap;
    public final PageTypes types;
    public final KernelLog log;
    public final BadPageReporter badPages;
    public final Tasks tasks;
    public final Cpus cpus;
    public final KernelObjects objects;
    public final PageHooks hooks;
    public final Cgroups cgroups;
    public final CgroupTree tree;
    public final MemcgCharger charger;
    public final ChargeStock stock;
    public final CurrentMemcg current;
    public final ObjCgroups objcgs;
    public final MemcgData data;
    public final KmemPages kmemPages;
    public final KmemStaticKey kmemKey;
    public final KmemAccountingPolicy policy;
    public final MemcgConfig config;
    public final OomKiller oom;
    public final ConsistencyChecks checks;
    /** pid 1, in the root cgroup: the one user task the OOM killer never picks. */
    public final TaskStruct init;

    private MemcgMachine(Injector injector) {
        this.injector = injector;
        alloc = injector.getInstance(PageAllocator.class);
        refs = injector.getInstance(PageRefs.class);
        memMap = injector.getInstance(MemMap.class);
        types = injector.getInstance(PageTypes.class);
        log = injector.getInstance(KernelLog.class);
        badPages = injector.getInstance(BadPageReporter.class);
        tasks = injector.getInstance(Tasks.class);
        cpus = injector.getInstance(Cpus.class);
        objects = injector.getInstance(KernelObjects.class);
        hooks = injector.getInstance(PageHooks.class);
        cgroups = injector.getInstance(Cgroups.class);
        tree = injector.getInstance(CgroupTree.class);
        charger = injector.getInstance(MemcgCharger.class);
        stock = injector.getInstance(ChargeStock.class);
        current = injector.getInstance(CurrentMemcg.class);
        objcgs = injector.getInstance(ObjCgroups.class);
        data = injector.getInstance(MemcgData.class);
        kmemPages = injector.getInstance(KmemPages.class);
        kmemKey = injector.getInstance(KmemStaticKey.class);
        policy = injector.getInstance(KmemAccountingPolicy.class);
        config = injector.getInstance(MemcgConfig.class);
        oom = injector.getInstance(OomKiller.class);
        checks = injector.getInstance(ConsistencyChecks.class);
        init = tasks.create("init", new MmStruct());
        cgroups.attach(init, tree.root());
    }

    /** The latest kernel's memcg on a 64 MiB machine, plus {@code extra} modules. */
    public static MemcgMachine boot(Module... extra) {
        return boot(MemcgConfig.LATEST, extra);
    }

    public static MemcgMachine boot(MemcgConfig config, Module... extra) {
        List<Module> all = new ArrayList<>();
        all.add(new MmCoreModule(MemoryConfig.of("64M")));
        all.add(new MemcgModule(config));
        all.addAll(List.of(extra));
        return new MemcgMachine(Injectors.strict(all.toArray(new Module[0])));
    }

    /** A machine of one era: its memcg config, kmem policy and page-type encoding. */
    public static MemcgMachine era(MemcgConfig config, String kmemPolicy, String pageTypeEncoding,
                                   Module... extra) {
        List<Module> all = new ArrayList<>(List.of(extra));
        all.add(binder -> {
            policyBinder(binder, KmemAccountingPolicy.class).select(kmemPolicy);
            policyBinder(binder, PageTypeEncoding.class).select(pageTypeEncoding);
        });
        return boot(config, all.toArray(new Module[0]));
    }

    /** A user task (with an mm) that has joined {@code memcg}. */
    public TaskStruct userTask(String comm, MemCgroup memcg) {
        TaskStruct t = tasks.create(comm, new MmStruct());
        cgroups.attach(t, memcg);
        return t;
    }

    /**
     * The check for tests whose scenario leaks on purpose, as the kernel does: every consistency
     * check of the machine passes (memcg's charge check among them) with the per-CPU stocks as
     * they are and again once they are drained, so every page is either free or was reported
     * bad (a deliberate, logged leak) and every charge is attributable.
     */
    public void assertNoLostPages() {
        assertThat(checks.run()).as("consistency checks").isEmpty();
        stock.drainAll(tree.root());
        assertThat(checks.run()).as("consistency checks after draining the stocks").isEmpty();
    }

    /** {@link ChargeStock#dyingPinnedByEmptyStocks()}: the removed cgroups that may stay dying after a drain. */
    public Set<MemCgroup> dyingPinnedByEmptyStocks() {
        return stock.dyingPinnedByEmptyStocks();
    }

    /** The pages charged to {@code memcg} ({@code memory.current}) less those parked in a page stock. */
    public long charged(MemCgroup memcg) {
        return memcg.memory().read() - stock.stockedPagesOf(memcg);
    }

    /**
     * The end-of-test check: after draining every stock, every page is free, nothing was
     * reported bad and no cgroup holds a charge.
     */
    public void assertNoLeaks() {
        assertNoLostPages();
        assertThat(badPages.reports()).as("bad page reports").isEmpty();
        tree.forEachDescendantWithDying(tree.root(), m -> {
            assertThat(m.memory().read()).as("memory.current of %s", m).isZero();
            assertThat(m.kmem().read()).as("kmem usage of %s", m).isZero();
        });
    }
}
