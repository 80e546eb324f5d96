package org.mmemu.memcg.kmem;

import org.mmemu.memcg.ChargeSemantics;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgMachine;

/**
 * The era combinations the kmem tests run under (the kernel module owns the real presets):
 * each kmem policy with the memcg config and page-type encoding of its kernels.
 */
final class TestEras {
    static final MemcgConfig V4_7 = MemcgConfig.LATEST.withChargeBatch(32)
            .withChargeSemantics(ChargeSemantics.V4_8).withKmemUnchargeViaStock(false).withV1KmemCounter(true);
    static final MemcgConfig V4_8 = V4_7.withV1KmemCounter(false);
    static final MemcgConfig V5_10 = V4_8.withChargeSemantics(ChargeSemantics.V5_10);
    static final MemcgConfig V5_11 = V5_10.withKmemUnchargeViaStock(true);

    private TestEras() {
    }

    static MemcgMachine explicitHelpers() {
        return MemcgMachine.era(V4_7, ExplicitHelpersPolicy.NAME, "pagetype.Value46");
    }

    static MemcgMachine pageType48() {
        return MemcgMachine.era(V4_8, PageTypePolicy.NAME, "pagetype.Value48");
    }

    static MemcgMachine pageType418() {
        return MemcgMachine.era(V4_8, PageTypePolicy.NAME, "pagetype.Bits418");
    }

    static MemcgMachine pageType510() {
        return MemcgMachine.era(V5_10, PageTypePolicy.NAME, "pagetype.Bits50");
    }

    static MemcgMachine memcgDataFlag() {
        return MemcgMachine.era(V5_11, MemcgDataFlagPolicy.NAME, "pagetype.Bits511");
    }

    static MemcgMachine objcg() {
        return MemcgMachine.era(MemcgConfig.LATEST, ObjcgPolicy.NAME, "pagetype.TopByte613");
    }
}
