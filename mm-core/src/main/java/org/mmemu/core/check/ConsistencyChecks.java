package org.mmemu.core.check;

import com.google.inject.Binder;
import com.google.inject.Inject;
import com.google.inject.multibindings.Multibinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mmemu.core.sched.Cpus;

/**
 * Runs every {@link ConsistencyCheck} bound in the machine, in binding order. mm-core binds
 * {@link BuddyCheck} and {@link PageLeakCheck}; upper modules add theirs with
 * {@link #consistencyChecks(Binder)} and declare the pages they hold with
 * {@link #pageOwners(Binder)}:
 *
 * <pre>
 *  consistencyChecks(binder()).add(ChargeCheck.class);
 *  pageOwners(binder()).add(SlabCaches.class);
 * </pre>
 */
public final class ConsistencyChecks {
    private final List<ConsistencyCheck> checks;
    private final Cpus cpus;
    private final Expectations expectations;

    @Inject
    public ConsistencyChecks(Set<ConsistencyCheck> checks, Cpus cpus, Expectations expectations) {
        this.checks = List.copyOf(checks);
        this.cpus = cpus;
        this.expectations = expectations;
    }

    /** Registers consistency checks. */
    public static SetBinder<ConsistencyCheck> consistencyChecks(Binder binder) {
        return new SetBinder<>(Multibinder.newSetBinder(binder, ConsistencyCheck.class));
    }

    /** Registers holders of pages that the leak check must not count as lost. */
    public static SetBinder<PageOwner> pageOwners(Binder binder) {
        return new SetBinder<>(Multibinder.newSetBinder(binder, PageOwner.class));
    }

    /** The bound checks, in the order they run. */
    public List<ConsistencyCheck> checks() {
        return checks;
    }

    /**
     * Runs every check and returns the violations, each prefixed with its check's name. A check
     * that throws (a corrupted list can break a walker) is reported as a violation itself, so
     * the other checks still run. Per-CPU work queued by then (stock drains, reference folds)
     * runs first ({@link Cpus#flushWork}), as it would have in the kernel by the time anyone
     * looks. Exact only while no other thread uses the machine.
     */
    public List<String> run() {
        cpus.flushWork();
        List<String> violations = new ArrayList<>();
        for (ConsistencyCheck c : checks) {
            try {
                for (String v : c.check()) {
                    violations.add(c.name() + ": " + v);
                }
            } catch (RuntimeException e) {
                violations.add(c.name() + ": the check itself failed: " + e);
            }
        }
        return violations;
    }

    /**
     * {@link #run()}, then the {@link Expectations}' problems: bad-page reports nobody declared
     * and declarations that did not come true. What a test ends with, whether it drives the
     * machine through the test kit or the {@code Kernel} facade; {@link #run()} alone lets a
     * scenario leak through bad pages as the kernel does.
     */
    public List<String> runWithExpectations() {
        List<String> problems = run();
        problems.addAll(expectations.problems());
        return problems;
    }

    /**
     * The binder DSL for one of the check SPIs, so callers never touch {@link Multibinder}.
     *
     * @param <T> {@link ConsistencyCheck} or {@link PageOwner}
     */
    public static final class SetBinder<T> {
        private final Multibinder<T> multibinder;

        SetBinder(Multibinder<T> multibinder) {
            this.multibinder = multibinder;
        }

        /** Adds an implementation bound elsewhere in the injector (usually as a singleton). */
        public SetBinder<T> add(Class<? extends T> implementation) {
            multibinder.addBinding().to(implementation);
            return this;
        }

        /** Adds an instance. */
        public SetBinder<T> add(T instance) {
            multibinder.addBinding().toInstance(instance);
            return this;
        }
    }
}
