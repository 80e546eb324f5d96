package org.mmemu.memcg.archfixture;

import org.mmemu.slab.archfixture.SlabCache;

/** A deliberate violation for MmemuRulesTest: memcg using a tenant above it. */
public final class MemcgUsingSlab {
    /** The upward dependency. */
    final SlabCache cache = new SlabCache();
}
