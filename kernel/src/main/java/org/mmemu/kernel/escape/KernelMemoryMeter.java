package org.mmemu.kernel.escape;

import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.sched.Cpus;
import org.mmemu.kernel.Kernel;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.MemCgroup;

/**
 * What the machine's own counters say since the meter was made: pages the allocator handed out
 * (taken from the buddy lists and not back on them or on a per-CPU list) and pages charged to
 * one cgroup (its {@code memory.current} less the pages its per-CPU stocks hold, which are
 * pre-charged but not yet anyone's). Read on the thread that drives the machine, between steps.
 */
final class KernelMemoryMeter {
    private final PageAllocator allocator;
    private final ChargeStock stock;
    private final MemCgroup memcg;
    private final int nrCpus;
    private final long usedBase;
    private final long chargedBase;

    KernelMemoryMeter(Kernel kernel, MemCgroup memcg) {
        this.allocator = kernel.get(PageAllocator.class);
        this.stock = kernel.get(ChargeStock.class);
        this.memcg = memcg;
        this.nrCpus = kernel.get(Cpus.class).nrCpus();
        this.usedBase = usedPages();
        this.chargedBase = chargedPages();
    }

    /** Pages allocated since the meter was made (net of frees). */
    long allocatedPages() {
        return usedPages() - usedBase;
    }

    /** Pages charged to the cgroup since the meter was made (net of uncharges). */
    long chargedPages() {
        return chargedNow() - chargedBase;
    }

    /** The cgroup's {@code memory.current}, in pages, stocks included. */
    long currentPages() {
        return memcg.memory().read();
    }

    private long usedPages() {
        return allocator.memMap().nrPages() - allocator.nrFreePages() - allocator.nrPcpPages();
    }

    private long chargedNow() {
        long stocked = 0;
        for (int c = 0; c < nrCpus; c++) {
            if (stock.cachedMemcg(c) == memcg) {
                stocked += stock.stockedPages(c);
            }
        }
        return memcg.memory().read() - stocked;
    }
}
