package org.mmemu.slab;

/**
 * slab's boot options.
 *
 * @param slubDebug {@code slub_debug=F}: every cache gets {@code SLAB_CONSISTENCY_CHECKS}, so its
 *     allocations and frees take the slow path and each free is checked (double frees, pointers
 *     that are no object of the slab) and reported as SLUB reports them. Off by default, as in
 *     the kernel.
 */
public record SlabConfig(boolean slubDebug) {
    /** The kernel's defaults. */
    public static final SlabConfig DEFAULT = new SlabConfig(false);
    /** {@code slub_debug=F}. */
    public static final SlabConfig SLUB_DEBUG = new SlabConfig(true);
}
