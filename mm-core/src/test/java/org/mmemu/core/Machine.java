package org.mmemu.core;

import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.BitSet;
import java.util.List;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.check.PageLeakCheck;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Jiffies;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.vmstat.VmStat;

/** mm-core's own test fixture: one strict injector and its most used services. */
public final class Machine {
    public final Injector injector;
    public final PageAllocator alloc;
    public final PageRefs refs;
    public final MemMap memMap;
    public final PageTypes types;
    public final KernelLog log;
    public final BadPageReporter badPages;
    public final Tasks tasks;
    public final Cpus cpus;
    public final PageHooks hooks;
    public final Jiffies jiffies;
    public final VmStat vmStat;
    public final PhysicalMemory ram;

    private Machine(Injector injector) {
        this.injector = injector;
        this.alloc = injector.getInstance(PageAllocator.class);
        this.refs = injector.getInstance(PageRefs.class);
        this.memMap = injector.getInstance(MemMap.class);
        this.types = injector.getInstance(PageTypes.class);
        this.log = injector.getInstance(KernelLog.class);
        this.badPages = injector.getInstance(BadPageReporter.class);
        this.tasks = injector.getInstance(Tasks.class);
        this.cpus = injector.getInstance(Cpus.class);
        this.hooks = injector.getInstance(PageHooks.class);
        this.jiffies = injector.getInstance(Jiffies.class);
        this.vmStat = injector.getInstance(VmStat.class);
        this.ram = injector.getInstance(PhysicalMemory.class);
    }

    /** A 64 MiB machine with the default (latest) policies plus {@code extra} modules. */
    public static Machine boot(Module... extra) {
        return boot(MemoryConfig.of("64M"), extra);
    }

    public static Machine boot(MemoryConfig config, Module... extra) {
        Module[] all = new Module[extra.length + 1];
        all[0] = new MmCoreModule(config);
        System.arraycopy(extra, 0, all, 1, extra.length);
        return new Machine(Injectors.strict(all));
    }

    /** A 64 MiB machine whose page types use the encoding registered as {@code policyName}. */
    public static Machine bootWithPageTypes(String policyName) {
        return boot(b -> PolicyBinder.policyBinder(b, PageTypeEncoding.class).select(policyName));
    }

    /** The pfns neither free (buddy or per-CPU list) nor reported bad: mm-core's leak check. */
    public BitSet leakedPfns() {
        return injector.getInstance(PageLeakCheck.class).leakedPfns();
    }

    /** The violations every bound consistency check reports: empty at a test's clean end. */
    public List<String> consistencyViolations() {
        return injector.getInstance(ConsistencyChecks.class).run();
    }

    /** Pages neither free nor reported bad: what a finished test must not leave behind. */
    public long leakedPages() {
        return leakedPfns().cardinality();
    }
}
