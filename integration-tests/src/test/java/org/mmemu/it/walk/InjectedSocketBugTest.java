package org.mmemu.it.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import com.google.inject.Module;
import org.junit.jupiter.api.Test;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.net.UnixConfig;
import org.mmemu.net.UnixModule;

/**
 * The walk finds a socket bug and shrinks it: the latest era's AF_UNIX sockets with
 * {@code sk_allocation} back at {@code GFP_KERNEL} (as if "af_unix: charge buffers to kmemcg"
 * were undone) charge no socket buffer, which the model charges to the sender; the walk must
 * fail, its shortest failing sequence the few actions a send needs.
 */
class InjectedSocketBugTest {
    /** Short walks: the shrink replays each candidate on a fresh kernel. */
    private static final int STEPS = 12;

    /** The latest era's sockets, but their buffers unaccounted. */
    private static final Module UNACCOUNTED_SOCKET_BUFFERS = binder -> UnixModule.config(binder).setBinding()
            .toInstance(new UnixConfig(GFP_KERNEL, UnixConfig.LATEST.protoSlabAccounted(),
                    UnixConfig.LATEST.fragsStepDown()));

    @Test
    void socketBuffersThatAreNeverChargedFailTheWalkWhichShrinksToTheSend() {
        KernelConfig config = KernelConfig.memory("16M").override(UNACCOUNTED_SOCKET_BUFFERS);
        Kernel k = Kernel.boot(Era.LATEST, config);
        AssertionError failure = catchThrowableOfType(() -> new WalkRunner(config, ActionKinds.defaults())
                .run(k, RandomWalkTest.WALKS, STEPS, 0x50cL), AssertionError.class);
        InjectedBugTest.closeStopped(k);

        assertThat(failure).as("the walk finds the uncharged buffers").isNotNull();
        InjectedBugTest.assertShrunkTo(failure, "Mkdir[", "Spawn[", "SocketPairCreate[", "SocketSend[");
    }
}
