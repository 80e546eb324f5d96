package org.mmemu.kernel.junit;

import java.util.List;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.KernelConfig;

/** One era's run of an {@link Eras} method: named by the era (and a non-generic architecture), with its kernel. */
record EraInvocation(Era era, KernelConfig config) implements TestTemplateInvocationContext {
    /** The era, as reports list it: "V4_8 (4.8)", or "V4_8 (4.8) on S390" for s390's page tables. */
    @Override
    public String getDisplayName(int invocationIndex) {
        return config.arch() == Arch.GENERIC ? era.toString() : era + " on " + config.arch();
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
        return List.of(new EraKernel(era, config));
    }
}
