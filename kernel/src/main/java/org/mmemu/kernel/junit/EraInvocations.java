package org.mmemu.kernel.junit;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.KernelConfig;

/**
 * The runs of an {@link Eras} method: one per era it names and architecture, each with a kernel
 * of its own, the architectures of one era next to each other.
 */
final class EraInvocations implements TestTemplateInvocationContextProvider {
    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(Eras.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        Eras eras = method.getAnnotation(Eras.class);
        KernelConfig config = KernelConfig.memory(eras.memory()).cpus(eras.cpus());
        List<Arch> arches = Arrays.stream(eras.arches()).distinct().sorted().toList();
        if (arches.isEmpty()) {
            throw new ExtensionConfigurationException("@Eras on " + method.getName() + " names no architecture");
        }
        return eras(eras, method).stream()
                .flatMap(era -> arches.stream().map(arch -> new EraInvocation(era, config.arch(arch))));
    }

    /** The eras an annotation names, in release order. */
    static List<Era> eras(Eras eras, Method method) {
        if (eras.value().length == 0) {
            return Arrays.stream(Era.values()).filter(e -> e.compareTo(eras.from()) >= 0).toList();
        }
        if (eras.from() != Era.values()[0]) {
            throw new ExtensionConfigurationException("@Eras on " + method.getName()
                    + " names eras and a first era: give one or the other");
        }
        return Arrays.stream(eras.value()).distinct().sorted().toList();
    }
}
