package org.mmemu.kernel.junit;

import java.util.List;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.KernelConfig;

/** One era's run of an {@link Eras} method: named by the era, with its kernel. */
record EraInvocation(Era era, KernelConfig config) implements TestTemplateInvocationContext {
    /** The era, as reports list it: "V4_8 (4.8)". */
    @Override
    public String getDisplayName(int invocationIndex) {
        return era.toString();
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
        return List.of(new EraKernel(era, config));
    }
}
