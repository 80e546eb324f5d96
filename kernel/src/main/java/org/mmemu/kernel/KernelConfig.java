package org.mmemu.kernel;

import static java.util.Objects.requireNonNull;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.MemoryConfig;
import org.mmemu.memcg.MemcgModule;

/**
 * How to build a machine beside its {@link Era}: memory, CPUs, architecture, whether kernel
 * memory is accounted, and modules that override the era's wiring. Immutable; each method returns
 * a copy.
 *
 * <pre>
 *  KernelConfig.memory("256M").cpus(4).arch(Arch.S390).kmemAccounting(false)
 *          .override(binder -&gt; policyBinder(binder, S390PageTableGfp.class).select("s390gfp.Account"))
 * </pre>
 */
public final class KernelConfig {
    /** {@link Kernel#boot(Era)}'s memory. */
    public static final String DEFAULT_MEMORY = "1G";
    /** {@link Kernel#boot(Era)}'s CPU count. */
    public static final int DEFAULT_CPUS = 2;

    private static final KernelConfig DEFAULTS =
            new KernelConfig(MemoryConfig.of(DEFAULT_MEMORY).withCpus(DEFAULT_CPUS), Arch.GENERIC, true, List.of());

    private final MemoryConfig memory;
    private final Arch arch;
    private final boolean kmemAccounting;
    private final List<Module> overrides;

    private KernelConfig(MemoryConfig memory, Arch arch, boolean kmemAccounting, List<Module> overrides) {
        this.memory = memory;
        this.arch = arch;
        this.kmemAccounting = kmemAccounting;
        this.overrides = overrides;
    }

    /** 1 GiB, 2 CPUs, the generic architecture, kernel memory accounted, nothing overridden. */
    public static KernelConfig defaults() {
        return DEFAULTS;
    }

    /**
     * The defaults with {@code size} of memory ("64M", "16G": memparse suffixes).
     *
     * @throws IllegalArgumentException for a size that is not one, or out of 4M..4T
     */
    public static KernelConfig memory(String size) {
        return DEFAULTS.with(MemoryConfig.of(size).withCpus(DEFAULTS.memory.cpus()));
    }

    /** A copy with {@code n} emulated CPUs (1..1024). */
    public KernelConfig cpus(int n) {
        return with(memory.withCpus(n));
    }

    /** A copy for {@code arch}'s page tables. */
    public KernelConfig arch(Arch arch) {
        return new KernelConfig(memory, requireNonNull(arch, "arch is null"), kmemAccounting, overrides);
    }

    /** A copy with kernel memory accounted or not ({@code cgroup.memory=nokmem} when false). */
    public KernelConfig kmemAccounting(boolean on) {
        return new KernelConfig(memory, arch, on, overrides);
    }

    /**
     * A copy that installs {@code modules} over the era's wiring (after those given before): a
     * policy they select replaces the era's choice of that kind, more subsystems, test stand-ins.
     * Boots given the same module objects share injectors ({@link Kernel#boot} recycles a closed
     * machine's), so a module is configured once for all of them: an object it creates as it
     * configures ({@code toInstance(new Recorder())}) would be every such machine's; bind a
     * service with state {@code in(MachineScoped.class)} instead, one per machine.
     */
    public KernelConfig override(Module... modules) {
        List<Module> all = new ArrayList<>(overrides);
        for (Module m : modules) {
            all.add(requireNonNull(m, "module is null"));
        }
        return new KernelConfig(memory, arch, kmemAccounting, List.copyOf(all));
    }

    private KernelConfig with(MemoryConfig newMemory) {
        return new KernelConfig(newMemory, arch, kmemAccounting, overrides);
    }

    /** The machine's size: what {@code MmCoreModule} takes. */
    public MemoryConfig memoryConfig() {
        return memory;
    }

    public Arch arch() {
        return arch;
    }

    public boolean kmemAccounting() {
        return kmemAccounting;
    }

    /** The modules given to {@link #override}, in order. */
    List<Module> overrideModules() {
        return overrides;
    }

    /**
     * What overrides the era's wiring, in order: the architecture's module, the kmem switch (as
     * the era's memcg knobs with accounting off), then {@link #override}'s modules.
     */
    List<Module> overrides(Era era) {
        List<Module> all = new ArrayList<>();
        all.add(arch.module());
        if (!kmemAccounting) {
            all.add(binder -> MemcgModule.config(binder).setBinding()
                    .toInstance(era.memcgConfig().withKmemAccounting(false)));
        }
        all.addAll(overrides);
        return all;
    }

    @Override
    public String toString() {
        return memory + ", " + arch + (kmemAccounting ? "" : ", nokmem")
                + (overrides.isEmpty() ? "" : ", " + overrides.size() + " override(s)");
    }
}
