package org.mmemu.bpf.archfixture;

import org.mmemu.slab.archfixture.SlabCache;

/** What MmemuRulesTest must let pass: bpf-maps allocating from slab. */
public final class BpfMapOnSlab {
    /** The allowed dependency. */
    final SlabCache elements = new SlabCache();
}
