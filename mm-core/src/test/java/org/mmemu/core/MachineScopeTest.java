package org.mmemu.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.CreationException;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.OutOfScopeException;
import com.google.inject.Provider;
import com.google.inject.ProvisionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One instance per machine, every one created at its start, none left after its end. */
class MachineScopeTest {

    /** What was created, in order: unscoped, so it outlives the machines. */
    static final class Births {
        final List<String> names = new ArrayList<>();
    }

    /** A service that needs nothing scoped. */
    static final class Clock {
        @Inject
        Clock(Births births) {
            births.names.add("clock");
        }
    }

    /** A service that needs another: bound before it, it creates it from inside its own creation. */
    static final class Allocator {
        final Clock clock;

        @Inject
        Allocator(Births births, Clock clock) {
            this.clock = clock;
            births.names.add("allocator");
        }
    }

    /** A service bound first: created first. */
    static final class Log {
        @Inject
        Log(Births births) {
            births.names.add("log");
        }
    }

    private final Births births = new Births();

    private Injector machine(Module... extra) {
        List<Module> all = new ArrayList<>(List.of(binder -> {
            binder.bind(Births.class).toInstance(births);
            binder.bind(Log.class).in(MachineScoped.class);
            binder.bind(Allocator.class).in(MachineScoped.class);
            binder.bind(Clock.class).in(MachineScoped.class);
        }));
        all.addAll(List.of(extra));
        return Injectors.strict(all.toArray(Module[]::new));
    }

    @Test
    void everyServiceIsCreatedAtOnceInBindingOrderItsDependenciesFirst() {
        Injector i = machine();

        assertThat(births.names).containsExactly("log", "clock", "allocator");
        assertThat(MachineScope.of(i).isLive()).isTrue();
        assertThat(i.getInstance(Allocator.class).clock).isSameAs(i.getInstance(Clock.class));
    }

    @Test
    void aMachineHasOneInstanceOfEachAndTheNextOneFreshOnes() {
        Injector i = machine();
        Allocator first = i.getInstance(Allocator.class);
        assertThat(i.getInstance(Allocator.class)).isSameAs(first);
        MachineScope scope = MachineScope.of(i);

        scope.end();
        scope.begin();

        assertThat(i.getInstance(Allocator.class)).isNotSameAs(first);
        assertThat(i.getInstance(Allocator.class).clock).isSameAs(i.getInstance(Clock.class)).isNotSameAs(first.clock);
        assertThat(births.names).as("each created again, at the new machine's start")
                .containsExactly("log", "clock", "allocator", "log", "clock", "allocator");
    }

    @Test
    void aScopedProviderAfterTheEndFailsNamingTheClosedMachine() {
        Injector i = machine();
        Provider<Clock> clocks = i.getProvider(Clock.class);
        MachineScope.of(i).end();

        // Guice wraps what a scope throws as an error in a custom provider.
        assertThatThrownBy(clocks::get).isInstanceOf(ProvisionException.class)
                .hasCauseInstanceOf(OutOfScopeException.class)
                .hasMessageContaining("MachineScopeTest$Clock")
                .hasMessageContaining("is MachineScoped, and its machine is closed");
        assertThatThrownBy(() -> i.getInstance(Allocator.class)).hasCauseInstanceOf(OutOfScopeException.class);
    }

    @Test
    void aSecondMachineCannotStartBeforeTheFirstEnds() {
        Injector i = machine();

        assertThatThrownBy(MachineScope.of(i)::begin).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a machine is live");
    }

    /** A service whose creation fails. */
    static final class Broken {
        @Inject
        Broken() {
            throw new IllegalArgumentException("no such policy");
        }
    }

    @Test
    void aServiceThatCannotBeCreatedFailsTheInjectorsCreation() {
        assertThatThrownBy(() -> machine(b -> b.bind(Broken.class).in(MachineScoped.class)))
                .isInstanceOf(CreationException.class).hasMessageContaining("no such policy");
    }

    @Test
    void aFailedStartLeavesNoMachineLive() {
        AtomicInteger calls = new AtomicInteger();
        MachineScope scope = new MachineScope();
        Provider<Object> failing = scope.scope(Key.get(Object.class), () -> {
            throw new IllegalStateException("failure " + calls.incrementAndGet());
        });
        scope.createEagerly(List.of(failing));

        assertThatThrownBy(scope::begin).hasMessage("failure 1");
        assertThat(scope.isLive()).isFalse();
    }

    @Test
    void lazyCreationsFromManyThreadsAtOnceMakeOneInstance() throws Exception {
        MachineScope scope = new MachineScope();
        AtomicInteger created = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Provider<Object> lazy = scope.scope(Key.get(Object.class), () -> {
            created.incrementAndGet();
            sleep(50);     // long enough for every other thread to ask meanwhile
            return new Object();
        });
        scope.begin();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Object>> gets = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                gets.add(pool.submit(() -> {
                    go.await();
                    return lazy.get();
                }));
            }
            go.countDown();
            Set<Object> seen = ConcurrentHashMap.newKeySet();
            for (Future<Object> g : gets) {
                seen.add(g.get(10, TimeUnit.SECONDS));
            }

            assertThat(seen).hasSize(1);
            assertThat(created).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
