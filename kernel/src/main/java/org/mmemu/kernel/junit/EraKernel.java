package org.mmemu.kernel.junit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;

/**
 * The kernel of one era's run: booted before the test's {@code @BeforeEach} methods, passed to
 * every method that takes a {@link Kernel}, closed (and so checked) after its {@code @AfterEach}
 * methods unless the test failed.
 */
final class EraKernel implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EraKernel.class);

    private final Era era;
    private final KernelConfig config;

    EraKernel(Era era, KernelConfig config) {
        this.era = era;
        this.config = config;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(Kernel.class, Kernel.boot(era, config));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Kernel kernel = context.getStore(NAMESPACE).remove(Kernel.class, Kernel.class);
        if (kernel != null && context.getExecutionException().isEmpty()) {
            kernel.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Kernel.class;
    }

    @Override
    public Kernel resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(Kernel.class, Kernel.class);
    }
}
