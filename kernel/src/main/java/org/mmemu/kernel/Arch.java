package org.mmemu.kernel;

import com.google.inject.Module;
import com.google.inject.util.Modules;
import java.util.function.Supplier;
import org.mmemu.s390.S390Module;

/** The architecture whose page tables user address spaces get ({@link KernelConfig#arch}). */
public enum Arch {
    /** The generic four-level tables of x86-64 ({@code pgtable.Generic}), one page each. */
    GENERIC(() -> Modules.EMPTY_MODULE),
    /** s390's tables: 2K PTE fragments in shared pages, CRST upper levels ({@code pgtable.S390}). */
    S390(S390Module::new);

    /** A new module per machine: a Guice module is configured by one injector at a time. */
    private final Supplier<Module> module;

    Arch(Supplier<Module> module) {
        this.module = module;
    }

    /** What a machine of this architecture installs. */
    Module module() {
        return module.get();
    }
}
