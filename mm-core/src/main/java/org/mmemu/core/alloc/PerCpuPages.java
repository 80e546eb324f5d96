package org.mmemu.core.alloc;

import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.PageList;

/**
 * One CPU's list of free order-0 pages for one zone ({@code struct per_cpu_pages}). Only the
 * CPU's own thread touches it, so it needs no lock; pages on it are not counted in
 * {@code NR_FREE_PAGES}, as in the kernel.
 */
final class PerCpuPages {
    final PageList list;

    PerCpuPages(MemMap memMap) {
        this.list = new PageList(memMap);
    }
}
