package org.mmemu.kernel.junit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;

/**
 * The kernel of one era's run (an instance per run): booted before the test's
 * {@code @BeforeEach} methods, passed to every method that takes a {@link Kernel} (and its
 * {@link Arch} to one that takes that), closed (and so checked) after its {@code @AfterEach}
 * methods unless the test failed.
 */
final class EraKernel implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private final Era era;
    private final KernelConfig config;
    private Kernel kernel;

    EraKernel(Era era, KernelConfig config) {
        this.era = era;
        this.config = config;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        kernel = Kernel.boot(era, config);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Kernel booted = kernel;
        kernel = null;
        if (booted != null && context.getExecutionException().isEmpty()) {
            booted.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Kernel.class || type == Arch.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Arch.class ? config.arch() : kernel;
    }
}
