package org.mmemu.core.era;

import static java.util.Objects.requireNonNull;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Binder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One era-dependent choice of a module, a column of the era table: what each
 * {@link KernelRelease} selects, written as the releases where it changed
 * ({@code policy("kmem", Kind.class, "kmem.ExplicitHelpers").since(V4_8, "kmem.PageType")}).
 * A policy choice selects a named policy ({@link org.mmemu.core.policy.PolicyBinder#select});
 * a config choice binds a value that is not a policy, such as memcg's configuration. Immutable:
 * {@link #since} returns a copy.
 *
 * @param <T> the value: a policy name, or the config object
 */
public final class EraChoice<T> {
    private final String column;
    private final Class<?> kind;
    private final boolean policy;
    private final List<T> byRelease;
    /** The release of the last change, so that changes are listed oldest first. */
    private final KernelRelease changedAt;
    private final Function<? super T, String> text;
    private final BiConsumer<Binder, ? super T> binding;

    private EraChoice(String column, Class<?> kind, boolean policy, List<T> byRelease, KernelRelease changedAt,
                      Function<? super T, String> text, BiConsumer<Binder, ? super T> binding) {
        this.column = requireNonNull(column, "column is null");
        this.kind = requireNonNull(kind, "kind is null");
        this.policy = policy;
        this.byRelease = Collections.unmodifiableList(byRelease);
        this.changedAt = changedAt;
        this.text = text;
        this.binding = binding;
    }

    /** The policy of {@code kind} named {@code first} from the oldest release on. */
    public static EraChoice<String> policy(String column, Class<?> kind, String first) {
        return new EraChoice<>(column, kind, true, fill(requireNonNull(first, "first is null")),
                KernelRelease.values()[0], name -> name, (binder, name) -> policyBinder(binder, kind).select(name));
    }

    /**
     * A value of {@code type} that is not a policy, {@code first} from the oldest release on:
     * {@code text} describes it in the era table, {@code binding} binds it in a machine.
     */
    public static <T> EraChoice<T> config(String column, Class<T> type, T first,
                                          Function<? super T, String> text, BiConsumer<Binder, ? super T> binding) {
        return new EraChoice<>(column, type, false, fill(requireNonNull(first, "first is null")),
                KernelRelease.values()[0], requireNonNull(text, "text is null"), requireNonNull(binding, "binding is null"));
    }

    private static <T> List<T> fill(T value) {
        return new ArrayList<>(Collections.nCopies(KernelRelease.values().length, value));
    }

    /**
     * This choice with {@code value} from {@code release} on. Changes are listed oldest first:
     * {@code release} must be newer than the last one given.
     */
    public EraChoice<T> since(KernelRelease release, T value) {
        requireNonNull(value, "value is null");
        if (release.compareTo(changedAt) <= 0) {
            throw new IllegalArgumentException(column + ": since(" + release + ") must come after " + changedAt);
        }
        List<T> changed = new ArrayList<>(byRelease);
        for (int i = release.ordinal(); i < changed.size(); i++) {
            changed.set(i, value);
        }
        return new EraChoice<>(column, kind, policy, changed, release, text, binding);
    }

    /** The column's name in the era table ("page types", "memory.stat"). */
    public String column() {
        return column;
    }

    /** The policy interface, or the config's type. */
    public Class<?> kind() {
        return kind;
    }

    /** Whether the choice selects a named policy (else it binds a config value). */
    public boolean isPolicy() {
        return policy;
    }

    /** The value {@code release} selects. */
    public T at(KernelRelease release) {
        return byRelease.get(release.ordinal());
    }

    /** The table cell of {@code release}: the policy name, or the config's description. */
    public String text(KernelRelease release) {
        return text.apply(at(release));
    }

    /** Binds what {@code release} selects. */
    public void bind(Binder binder, KernelRelease release) {
        binding.accept(binder, at(release));
    }
}
