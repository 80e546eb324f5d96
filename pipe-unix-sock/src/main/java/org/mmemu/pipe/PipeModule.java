package org.mmemu.pipe;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.multibindings.OptionalBinder;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.sched.TaskHooks;

/**
 * Plugs pipes into a machine, beside {@code MmCoreModule}, memcg's and slab's modules:
 * {@link PipeFiles} ({@code pipe2}, the files' operations, {@code F_SETPIPE_SZ}),
 * {@link PipeSplice} (tee, splice), {@link PipeSysctl} (the {@code /proc/sys/fs} knobs) and
 * {@code SIGPIPE}'s disposition across fork ({@link SigPipe}). The era's behaviour is a
 * {@link PipeConfig}, {@link PipeConfig#LATEST} unless {@link #config}{@code .setBinding()} binds
 * another ({@link PipeEras} has each release's).
 */
public final class PipeModule extends AbstractModule {
    /** The pipe behaviour's binding point. */
    public static OptionalBinder<PipeConfig> config(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, PipeConfig.class);
    }

    @Override
    protected void configure() {
        config(binder()).setDefault().toInstance(PipeConfig.LATEST);
        bind(PipeSysctl.class).in(MachineScoped.class);
        bind(AnonPipeBufOps.class).in(MachineScoped.class);
        bind(SigPipe.class).in(MachineScoped.class);
        bind(PipeInfos.class).in(MachineScoped.class);
        bind(PipeIo.class).in(MachineScoped.class);
        bind(PipeFiles.class).in(MachineScoped.class);
        bind(PipeSplice.class).in(MachineScoped.class);
        TaskHooks.forkHooks(binder()).add(SigPipe.class);
    }
}
