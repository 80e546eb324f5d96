package org.mmemu.core.policy;

import com.google.inject.Binder;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Provider;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.util.Types;
import java.util.Map;
import java.util.TreeSet;

/**
 * The binder DSL for one policy kind: every implementation is registered under its dotted name
 * in a {@code MapBinder<String, T>}, and the one in force is an {@code OptionalBinder<T>} whose
 * default the owning module sets and whose value an era preset, or a user, selects by name.
 *
 * <pre>
 *  policyBinder(binder, PageTypeEncoding.class)
 *      .register("pagetype.Value48", Encoding.VALUE_4_8)
 *      .setDefault("pagetype.TopByte613");
 *  // elsewhere (an era preset, or a test):
 *  policyBinder(binder, PageTypeEncoding.class).select("pagetype.Value48");
 * </pre>
 *
 * @param <T> the policy interface
 */
public final class PolicyBinder<T> {
    private final Class<T> kind;
    private final MapBinder<String, T> byName;
    private final OptionalBinder<T> selected;

    private PolicyBinder(Binder binder, Class<T> kind) {
        this.kind = kind;
        this.byName = MapBinder.newMapBinder(binder, String.class, kind);
        this.selected = OptionalBinder.newOptionalBinder(binder, kind);
    }

    /** The policy binder of {@code kind}. */
    public static <T> PolicyBinder<T> policyBinder(Binder binder, Class<T> kind) {
        return new PolicyBinder<>(binder, kind);
    }

    /** Registers an implementation instance under its policy name. */
    public PolicyBinder<T> register(String name, T instance) {
        byName.addBinding(name).toInstance(instance);
        return this;
    }

    /** Registers an implementation class (bound elsewhere) under its policy name. */
    public PolicyBinder<T> register(String name, Class<? extends T> implementation) {
        byName.addBinding(name).to(implementation);
        return this;
    }

    /** The policy used unless someone selects another. */
    public PolicyBinder<T> setDefault(String name) {
        selected.setDefault().toProvider(new ByName<>(kind, name));
        return this;
    }

    /** Selects the registered policy {@code name}, overriding the default. */
    public PolicyBinder<T> select(String name) {
        selected.setBinding().toProvider(new ByName<>(kind, name));
        return this;
    }

    /** Selects an unregistered instance (a user's own policy). */
    public PolicyBinder<T> select(T instance) {
        selected.setBinding().toInstance(instance);
        return this;
    }

    /** Looks a policy up by name in the registry; an unknown name fails at injector creation. */
    private static final class ByName<T> implements Provider<T> {
        private final Class<T> kind;
        private final String name;
        private Injector injector;

        ByName(Class<T> kind, String name) {
            this.kind = kind;
            this.name = name;
        }

        @Inject
        void setInjector(Injector injector) {
            this.injector = injector;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T get() {
            Map<String, T> registry = (Map<String, T>) injector.getInstance(
                    Key.get(Types.mapOf(String.class, kind)));
            T policy = registry.get(name);
            if (policy == null) {
                throw new IllegalArgumentException("no " + kind.getSimpleName() + " policy named '"
                        + name + "'; known: " + new TreeSet<>(registry.keySet()));
            }
            return policy;
        }
    }
}
