package org.mmemu.core.policy;

import static java.util.Objects.requireNonNull;

import com.google.inject.Binder;
import com.google.inject.Binding;
import com.google.inject.BindingAnnotation;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Provider;
import com.google.inject.TypeLiteral;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.Map;
import java.util.TreeMap;

/**
 * The binder DSL for one policy kind: every implementation is registered under its dotted name
 * ({@code @Named(name) T}), and the one in force, {@code T}, is the policy selected by name or
 * instance if an era preset or a user selected one, else the default the owning module set.
 *
 * <pre>
 *  policyBinder(binder, PageTypeEncoding.class)
 *      .register("pagetype.Value48", Encoding.VALUE_4_8)
 *      .setDefault("pagetype.TopByte613");
 *  // elsewhere (an era preset, or a test):
 *  policyBinder(binder, PageTypeEncoding.class).select("pagetype.Value48");
 * </pre>
 *
 * <p>A selection is one binding ({@code @Selected T}) that a module given to
 * {@code Modules.override} replaces, as a default is ({@code @Default T}); selecting twice in
 * one injector is a duplicate binding. A kind costs the injector its implementations and at
 * most three bindings: a {@code MapBinder} and an {@code OptionalBinder} per kind made a
 * machine's injector four times larger, most of a boot's time.
 *
 * @param <T> the policy interface
 */
public final class PolicyBinder<T> {
    private final Binder binder;
    private final Class<T> kind;

    private PolicyBinder(Binder binder, Class<T> kind) {
        this.binder = binder;
        this.kind = kind;
        // Every PolicyBinder of the kind binds the same resolver: Guice keeps one of equal bindings.
        binder.bind(kind).toProvider(new InForce<>(kind));
    }

    /** The policy binder of {@code kind}. */
    public static <T> PolicyBinder<T> policyBinder(Binder binder, Class<T> kind) {
        return new PolicyBinder<>(binder, kind);
    }

    /**
     * Registers an implementation instance under its policy name. The instance is not
     * member-injected: Guice would reflect over its class and every superclass ({@code Enum}'s
     * for the usual enum of policies) once per binding and per injector.
     */
    public PolicyBinder<T> register(String name, T instance) {
        binder.bind(Key.get(kind, Names.named(name))).toProvider(new Registered<>(instance));
        return this;
    }

    /** Registers an implementation class (bound elsewhere) under its policy name. */
    public PolicyBinder<T> register(String name, Class<? extends T> implementation) {
        binder.bind(Key.get(kind, Names.named(name))).to(implementation);
        return this;
    }

    /** The policy used unless someone selects another. */
    public PolicyBinder<T> setDefault(String name) {
        binder.bind(Key.get(kind, Default.class)).toProvider(new ByName<>(kind, name));
        return this;
    }

    /** Selects the registered policy {@code name}, overriding the default. */
    public PolicyBinder<T> select(String name) {
        binder.bind(Key.get(kind, Selected.class)).toProvider(new ByName<>(kind, name));
        return this;
    }

    /** Selects an unregistered instance (a user's own policy). */
    public PolicyBinder<T> select(T instance) {
        binder.bind(Key.get(kind, Selected.class)).toInstance(instance);
        return this;
    }

    /** Every policy of {@code kind} registered in {@code injector}, by name. */
    public static <T> Map<String, T> registry(Injector injector, Class<T> kind) {
        Map<String, T> byName = new TreeMap<>();
        for (Binding<T> b : injector.findBindingsByType(TypeLiteral.get(kind))) {
            if (b.getKey().getAnnotation() instanceof Named) {
                byName.put(((Named) b.getKey().getAnnotation()).value(), b.getProvider().get());
            }
        }
        return byName;
    }

    /** The selection of a kind, bound once a kind is selected. */
    @BindingAnnotation
    @Retention(RetentionPolicy.RUNTIME)
    @interface Selected {
    }

    /** The owning module's default of a kind. */
    @BindingAnnotation
    @Retention(RetentionPolicy.RUNTIME)
    @interface Default {
    }

    /** The policy in force: the selected one, else the default. */
    private static final class InForce<T> implements Provider<T> {
        private final Class<T> kind;
        private Injector injector;

        InForce(Class<T> kind) {
            this.kind = kind;
        }

        @Inject
        void setInjector(Injector injector) {
            this.injector = injector;
        }

        @Override
        public T get() {
            Binding<T> chosen = injector.getExistingBinding(Key.get(kind, Selected.class));
            if (chosen == null) {
                chosen = injector.getExistingBinding(Key.get(kind, Default.class));
            }
            if (chosen == null) {
                throw new IllegalStateException("no " + kind.getSimpleName() + " policy selected and no default set");
            }
            return chosen.getProvider().get();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof InForce && ((InForce<?>) o).kind == kind;
        }

        @Override
        public int hashCode() {
            return kind.hashCode();
        }
    }

    /** A registered instance, handed out as it is. */
    private static final class Registered<T> implements Provider<T> {
        private final T instance;

        Registered(T instance) {
            this.instance = requireNonNull(instance, "instance is null");
        }

        @Override
        public T get() {
            return instance;
        }
    }

    /** Looks a policy up by name in the registry; an unknown name fails when the policy is first needed. */
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
        public T get() {
            Binding<T> registered = injector.getExistingBinding(Key.get(kind, Names.named(name)));
            if (registered == null) {
                throw new IllegalArgumentException("no " + kind.getSimpleName() + " policy named '"
                        + name + "'; known: " + registry(injector, kind).keySet());
            }
            return registered.getProvider().get();
        }
    }
}
