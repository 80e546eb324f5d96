package org.mmemu.core;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the strict injectors every machine is built with: explicit bindings only, no
 * circular proxies, production stage (singletons, and so the machine's memory, are created
 * at once).
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

    static {
        if (System.getProperty(STACK_TRACES) == null) {
            System.setProperty(STACK_TRACES, "OFF");
        }
    }

    private Injectors() {
    }

    /** A strict injector over {@code modules}. */
    public static Injector strict(Module... modules) {
        List<Module> all = new ArrayList<>(List.of(modules));
        all.add(0, binder -> {
            binder.requireExplicitBindings();
            binder.disableCircularProxies();
        });
        return Guice.createInjector(Stage.PRODUCTION, all);
    }
}
