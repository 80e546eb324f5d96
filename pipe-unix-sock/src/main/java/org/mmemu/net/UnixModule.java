package org.mmemu.net;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.multibindings.OptionalBinder;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.check.ConsistencyChecks;

/**
 * Plugs AF_UNIX sockets into a machine, beside {@code MmCoreModule}, memcg's, slab's and
 * {@code PipeModule} (whose {@code SigPipe} a stream send to a closed peer raises):
 * {@link UnixSockets} (socketpair, release), {@link UnixSocketIo} (send, recv, setsockopt) over
 * {@link UnixStream}, {@link UnixDgram} and {@link SkBuffs}; {@link UnixSockCheck} at every
 * consistency check. The era's behaviour is a
 * {@link UnixConfig}, {@link UnixConfig#LATEST} unless {@link #config}{@code .setBinding()} binds
 * another ({@link UnixEras} has each release's).
 */
public final class UnixModule extends AbstractModule {
    /** The AF_UNIX behaviour's binding point. */
    public static OptionalBinder<UnixConfig> config(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, UnixConfig.class);
    }

    @Override
    protected void configure() {
        config(binder()).setDefault().toInstance(UnixConfig.LATEST);
        bind(UnixObjectCounts.class).in(MachineScoped.class);
        bind(SkBuffs.class).in(MachineScoped.class);
        bind(UnixSockets.class).in(MachineScoped.class);
        bind(UnixStream.class).in(MachineScoped.class);
        bind(UnixDgram.class).in(MachineScoped.class);
        bind(UnixSocketIo.class).in(MachineScoped.class);
        ConsistencyChecks.consistencyChecks(binder()).add(UnixSockCheck.class);
    }
}
