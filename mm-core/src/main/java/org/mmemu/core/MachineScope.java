package org.mmemu.core;

import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.OutOfScopeException;
import com.google.inject.Provider;
import com.google.inject.Scope;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scope of {@link MachineScoped} bindings: the services of the one machine an injector
 * serves now. {@link Injectors#strict} binds one per injector. A machine's life is a
 * <em>generation</em> of the scope: {@link #begin} starts one and creates its services in
 * binding order, as a production-stage injector creates its eager singletons; {@link #end}
 * drops every instance. The injector, most of a boot's cost, then builds the next machine
 * without being built again. Outside a generation no scoped service can be had: the machine is
 * closed.
 *
 * <p>A read is a volatile read and a lookup in a concurrent map. A creation holds the
 * generation's lock: the creations of the services it depends on re-enter it (construction is
 * recursive), and a lazy creation on another CPU's thread waits for it, so each key gets one
 * instance per generation.
 */
public final class MachineScope implements Scope {
    private volatile Generation live;
    private List<Provider<?>> eager = List.of();

    /** The scope of the machines {@code injector} (built by {@link Injectors#strict}) serves. */
    public static MachineScope of(Injector injector) {
        return injector.getInstance(MachineScope.class);
    }

    /** What {@link #begin} creates at once, in order: every scoped binding of the injector. */
    void createEagerly(List<Provider<?>> providers) {
        this.eager = List.copyOf(providers);
    }

    /**
     * Starts a machine: a fresh generation, its services created at once. If a creation fails,
     * the generation is dropped again.
     *
     * @throws IllegalStateException if a machine is live already
     */
    public synchronized void begin() {
        if (live != null) {
            throw new IllegalStateException("a machine is live in " + this + " already");
        }
        live = new Generation();
        try {
            for (Provider<?> p : eager) {
                p.get();
            }
        } catch (RuntimeException | Error e) {
            live = null;
            throw e;
        }
    }

    /** Ends the live machine, if any: every instance is dropped. */
    public synchronized void end() {
        live = null;
    }

    /** Whether a machine is live: between {@link #begin} and {@link #end}. */
    public boolean isLive() {
        return live != null;
    }

    @Override
    public <T> Provider<T> scope(Key<T> key, Provider<T> unscoped) {
        return new Provider<>() {
            @Override
            public T get() {
                Generation g = live;
                if (g == null) {
                    throw new OutOfScopeException(describe(key) + " is " + MachineScope.this
                            + ", and its machine is closed: no machine is live in its injector");
                }
                return g.get(key, unscoped);
            }

            @Override
            public String toString() {
                return unscoped + "[" + MachineScope.this + "]";
            }
        };
    }

    @Override
    public String toString() {
        return "MachineScoped";
    }

    /** {@code @Named(...) Type}, or the type alone. */
    private static String describe(Key<?> key) {
        return (key.getAnnotation() != null ? key.getAnnotation() + " "
                : key.getAnnotationType() != null ? "@" + key.getAnnotationType().getName() + " " : "")
                + key.getTypeLiteral();
    }

    /** One machine's instances, by key. */
    private static final class Generation {
        /** Stands for a null instance (a concurrent map holds no nulls). */
        private static final Object NULL = new Object();
        private final ConcurrentHashMap<Key<?>, Object> instances = new ConcurrentHashMap<>();

        @SuppressWarnings("unchecked")
        <T> T get(Key<T> key, Provider<T> unscoped) {
            Object instance = instances.get(key);
            if (instance == null) {
                instance = create(key, unscoped);
            }
            return instance == NULL ? null : (T) instance;
        }

        /* Not computeIfAbsent: the creation of one key creates others, from inside. */
        private synchronized Object create(Key<?> key, Provider<?> unscoped) {
            Object instance = instances.get(key);
            if (instance == null) {
                Object created = unscoped.get();
                instance = created == null ? NULL : created;
                instances.put(key, instance);
            }
            return instance;
        }
    }
}
