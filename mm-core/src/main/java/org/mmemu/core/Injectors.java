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
 */
public final class Injectors {
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
