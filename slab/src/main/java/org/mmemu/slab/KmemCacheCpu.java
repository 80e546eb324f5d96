package org.mmemu.slab;

import org.mmemu.core.page.Page;
import org.mmemu.core.sched.PerCpuPadding;

/**
 * One CPU's slab of one cache ({@code struct kmem_cache_cpu}): the frozen slab it allocates from
 * and its free list. Only the CPU's own thread touches it, so the fast paths take no lock; the
 * fields sit between {@link PerCpuPadding} in front and sixteen longs behind, off any other
 * CPU's cache lines, as {@code PerCpuPages} does.
 */
@SuppressWarnings("unused")
final class KmemCacheCpu extends PerCpuPadding {
    /** The first free object of the CPU's slab, 0 for none ({@code c->freelist}). */
    long freelist;
    /** The CPU's frozen slab, or null ({@code c->page}). */
    Page page;
    private long p00, p01, p02, p03, p04, p05, p06, p07;
    private long p08, p09, p10, p11, p12, p13, p14, p15;
}
