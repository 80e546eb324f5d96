package org.mmemu.core.alloc;

import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.PageList;
import org.mmemu.core.sched.PerCpu;

/**
 * One CPU's list of free order-0 pages for one zone ({@code struct per_cpu_pages}). Only the
 * CPU's own thread touches it, so it needs no lock; pages on it are not counted in
 * {@code NR_FREE_PAGES}, as in the kernel. Every allocation and free writes the list's words,
 * so they sit between {@link org.mmemu.core.sched.PerCpuPadding} in front and
 * {@link PerCpu#PAD_LONGS} longs behind, off any other CPU's cache lines.
 */
@SuppressWarnings("unused")
final class PerCpuPages extends PageList {
    private long p00, p01, p02, p03, p04, p05, p06, p07;
    private long p08, p09, p10, p11, p12, p13, p14, p15;

    PerCpuPages(MemMap memMap) {
        super(memMap);
    }
}
