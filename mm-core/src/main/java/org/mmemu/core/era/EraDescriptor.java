package org.mmemu.core.era;

import static java.util.Objects.requireNonNull;

import com.google.inject.Module;
import java.util.List;

/**
 * A module's era-dependent choices, in the order of its columns of the era table. Each module
 * declares its own in its main code ({@link MmCoreEras} for mm-core, and one class per upper
 * module); the kernel's era presets compose them, so a module that adds choices adds one
 * descriptor and changes no one else's.
 *
 * @param name the Maven module's name ("mm-core", "memcg")
 * @param choices the module's choices
 */
public record EraDescriptor(String name, List<EraChoice<?>> choices) {
    public EraDescriptor {
        requireNonNull(name, "name is null");
        choices = List.copyOf(choices);
    }

    /** The descriptor of module {@code name} with {@code choices}. */
    public static EraDescriptor of(String name, EraChoice<?>... choices) {
        return new EraDescriptor(name, List.of(choices));
    }

    /** Binds every choice {@code release} makes. */
    public Module module(KernelRelease release) {
        return binder -> choices.forEach(c -> c.bind(binder, release));
    }

    /** Selects every policy {@code release} chooses, binding no config value. */
    public Module policies(KernelRelease release) {
        return binder -> choices.stream().filter(EraChoice::isPolicy).forEach(c -> c.bind(binder, release));
    }
}
