package org.mmemu.core;

import com.google.inject.Binding;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provider;
import com.google.inject.ProvisionException;
import com.google.inject.Scope;
import com.google.inject.Stage;
import com.google.inject.spi.DefaultBindingScopingVisitor;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the strict injectors every machine is built with: explicit bindings only, no
 * circular proxies, production stage, and a {@link MachineScope} for the machine's services,
 * whose first machine is started at once: every {@link MachineScoped} service, and so the
 * machine's memory, is created before this returns, in binding order, as production stage
 * creates eager singletons. {@link MachineScope#end} and {@link MachineScope#begin} then
 * recycle the injector for the next machine of the same modules.
 *
 * <p>A test suite boots thousands of machines, each injector recording a few hundred
 * bindings; by default Guice takes a stack trace per binding to name its source in error
 * messages. Unless the JVM says otherwise ({@code -Dguice_include_stack_traces=...}), this
 * class switches that off ({@value #STACK_TRACES} = {@code OFF}) before Guice reads the flag:
 * a binding error then names the module instead of the line.
 */
public final class Injectors {
    /** The system property Guice's {@code InternalFlags} reads once, at its first use. */
    static final String STACK_TRACES = "guice_include_stack_traces";

    static {     // first: Guice may read its flags as soon as one of its classes is used
        if (System.getProperty(STACK_TRACES) == null) {
            System.setProperty(STACK_TRACES, "OFF");
        }
    }

    /** Whether a binding is {@link MachineScoped}: by its annotation while recorded, by its scope once built. */
    private static final DefaultBindingScopingVisitor<Boolean> IS_MACHINE_SCOPED = new DefaultBindingScopingVisitor<>() {
        @Override
        public Boolean visitScope(Scope scope) {
            return scope instanceof MachineScope;
        }

        @Override
        public Boolean visitScopeAnnotation(Class<? extends Annotation> annotation) {
            return annotation == MachineScoped.class;
        }

        @Override
        protected Boolean visitOther() {
            return false;
        }
    };

    private Injectors() {
    }

    /**
     * A strict injector over {@code modules}, its first machine live.
     *
     * @throws CreationException if a binding is wrong, or a service of the machine cannot be
     *     created (as for an eager singleton of a production-stage injector)
     */
    public static Injector strict(Module... modules) {
        MachineScope scope = new MachineScope();
        List<Module> all = new ArrayList<>(List.of(modules));
        all.add(0, binder -> {
            binder.requireExplicitBindings();
            binder.disableCircularProxies();
            binder.bindScope(MachineScoped.class, scope);
            binder.bind(MachineScope.class).toInstance(scope);
        });
        Injector injector = Guice.createInjector(Stage.PRODUCTION, all);
        scope.createEagerly(machineScoped(injector));
        try {
            scope.begin();
        } catch (ProvisionException e) {
            throw new CreationException(e.getErrorMessages());
        }
        return injector;
    }

    /** The providers of {@code injector}'s machine-scoped bindings, in binding (module) order. */
    private static List<Provider<?>> machineScoped(Injector injector) {
        List<Provider<?>> scoped = new ArrayList<>();
        for (Binding<?> b : injector.getBindings().values()) {
            if (b.acceptScopingVisitor(IS_MACHINE_SCOPED)) {
                scoped.add(b.getProvider());
            }
        }
        return scoped;
    }
}
