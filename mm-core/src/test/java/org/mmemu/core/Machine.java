package org.mmemu.core;

import com.google.inject.Injector;
import com.google.inject.Module;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Tasks;

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

    private Machine(Injector injector) {
        this.injector = injector;
        this.alloc = injector.getInstance(PageAllocator.class);
        this.refs = injector.getInstance(PageRefs.class);
        this.memMap = injector.getInstance(MemMap.class);
        this.types = injector.getInstance(PageTypes.class);
        this.log = injector.getInstance(KernelLog.class);
        this.badPages = injector.getInstance(BadPageReporter.class);
        this.tasks = injector.getInstance(Tasks.class);
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

    /** Pages neither free nor reported bad: what a finished test must not leave behind. */
    public long leakedPages() {
        var free = alloc.freePfns();
        for (var r : badPages.reports()) {
            free.set((int) r.pfn());
        }
        return memMap.nrPages() - free.cardinality();
    }
}
