package org.mmemu.core.archfixture;

import org.mmemu.memcg.MemcgConfig;

/** A deliberate violation for MmemuRulesTest: mm-core reaching up into memcg. */
public final class CoreUsingMemcg {
    private CoreUsingMemcg() {
    }

    /** The upward dependency. */
    public static int batch() {
        return MemcgConfig.LATEST.chargeBatch();
    }
}
