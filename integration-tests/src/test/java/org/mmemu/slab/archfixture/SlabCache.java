package org.mmemu.slab.archfixture;

/** A class of the slab module's packages, for MmemuRulesTest's fixtures to depend on. */
public final class SlabCache {
}
