package org.mmemu.bpf;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.multibindings.OptionalBinder;
import org.mmemu.core.MachineScoped;

/**
 * Plugs BPF maps into a machine, beside {@code MmCoreModule}, memcg's and slab's modules:
 * {@link BpfSyscall} (the map commands of {@code bpf(2)}, the map files and their mappings).
 * The era's behaviour is a {@link BpfConfig}, {@link BpfConfig#LATEST} unless
 * {@link #config}{@code .setBinding()} binds another ({@link BpfEras} has each release's).
 */
public final class BpfModule extends AbstractModule {
    /** The map behaviour's binding point. */
    public static OptionalBinder<BpfConfig> config(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, BpfConfig.class);
    }

    @Override
    protected void configure() {
        config(binder()).setDefault().toInstance(BpfConfig.LATEST);
        bind(PercpuAlloc.class).in(MachineScoped.class);
        bind(BpfMapMemory.class).in(MachineScoped.class);
        bind(BpfMapIds.class).in(MachineScoped.class);
        bind(BpfSyscall.class).in(MachineScoped.class);
    }
}
