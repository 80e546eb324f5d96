package org.mmemu.kernel;

import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.mmemu.core.MachineScope;

/**
 * The idle injectors of {@link Kernel#boot}, by configuration. Building an injector is most of a
 * boot's cost; a closed machine's injector, its machine ended ({@link MachineScope#end}), waits
 * here for the next boot of the same era and config, which starts a fresh machine in it
 * ({@link MachineScope#begin}) instead. An injector serves one machine at a time: a boot takes it
 * out, the close gives it back, so machines booted at once get injectors of their own. Bounded:
 * {@value #IDLE_PER_CONFIG} idle injectors per configuration, {@value #CONFIGS} configurations,
 * the least recently used dropped first. An idle injector holds bindings only, no machine.
 */
final class InjectorPool {
    /** Idle injectors kept per configuration: one per thread of a suite running two at once. */
    static final int IDLE_PER_CONFIG = 2;
    /** Configurations kept: the eras times a few sizes a suite cycles through. */
    static final int CONFIGS = 16;

    private final Map<Config, ArrayDeque<Injector>> idle = new LinkedHashMap<>(CONFIGS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Config, ArrayDeque<Injector>> eldest) {
            return size() > CONFIGS;
        }
    };

    /**
     * An injector of {@code config} with a fresh machine live in it: an idle one, else one
     * {@code create} builds (with its first machine live).
     */
    Injector take(Config config, Supplier<Injector> create) {
        Injector injector;
        synchronized (this) {
            ArrayDeque<Injector> free = idle.get(config);
            injector = free == null ? null : free.poll();
        }
        if (injector == null) {
            return create.get();
        }
        MachineScope.of(injector).begin();
        return injector;
    }

    /** Ends the machine {@code injector} serves and keeps the injector for {@code config}'s next boot. */
    void give(Config config, Injector injector) {
        MachineScope.of(injector).end();
        synchronized (this) {
            ArrayDeque<Injector> free = idle.computeIfAbsent(config, c -> new ArrayDeque<>(IDLE_PER_CONFIG));
            if (free.size() < IDLE_PER_CONFIG) {
                free.push(injector);
            }
        }
    }

    /**
     * What makes two boots' injectors interchangeable: the era, the memory and CPUs, the
     * architecture, the kmem switch, and the very same override modules (a module's bindings are
     * its code's, so only the same object is known to bind the same).
     */
    static final class Config {
        private final Era era;
        private final long bytes;
        private final int cpus;
        private final Arch arch;
        private final boolean kmemAccounting;
        private final List<Module> overrides;

        Config(Era era, KernelConfig config) {
            this.era = era;
            this.bytes = config.memoryConfig().bytes();
            this.cpus = config.memoryConfig().cpus();
            this.arch = config.arch();
            this.kmemAccounting = config.kmemAccounting();
            this.overrides = config.overrideModules();
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Config)) {
                return false;
            }
            Config c = (Config) o;
            return era == c.era && bytes == c.bytes && cpus == c.cpus && arch == c.arch
                    && kmemAccounting == c.kmemAccounting && sameModules(overrides, c.overrides);
        }

        private static boolean sameModules(List<Module> a, List<Module> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) != b.get(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = era.hashCode();
            h = 31 * h + Long.hashCode(bytes);
            h = 31 * h + cpus;
            h = 31 * h + arch.hashCode();
            h = 31 * h + Boolean.hashCode(kmemAccounting);
            for (Module m : overrides) {
                h = 31 * h + System.identityHashCode(m);
            }
            return h;
        }
    }
}
