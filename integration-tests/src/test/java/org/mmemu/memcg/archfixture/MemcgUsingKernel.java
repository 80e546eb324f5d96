package org.mmemu.memcg.archfixture;

import org.mmemu.kernel.Era;

/** A deliberate violation for MmemuRulesTest: memcg reaching up into kernel. */
public final class MemcgUsingKernel {
    private MemcgUsingKernel() {
    }

    /** The upward dependency. */
    public static String version() {
        return Era.LATEST.version();
    }
}
