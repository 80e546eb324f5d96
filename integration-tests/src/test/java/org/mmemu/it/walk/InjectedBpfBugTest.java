package org.mmemu.it.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.inject.Module;
import org.junit.jupiter.api.Test;
import org.mmemu.bpf.BpfConfig;
import org.mmemu.bpf.BpfModule;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;

/**
 * The walk finds a BPF charging bug and shrinks it: the latest era's maps with their areas and
 * hash structure allocated without {@code __GFP_ACCOUNT} (as if "bpf: Refine memcg-based memory
 * accounting for arraymap maps" and its hashtab twin were undone, while memlock stays gone)
 * charge the creator nothing at create, which the model charges it; the walk must fail, its
 * shortest failing sequence the few actions a create needs (and what drains the stock that
 * hid the missing charge).
 */
class InjectedBpfBugTest {
    /** Short walks: the shrink replays each candidate on a fresh kernel. */
    private static final int STEPS = 12;

    /** The latest era's maps, but their create-time allocations unaccounted. */
    private static final Module UNACCOUNTED_MAP_AREAS = binder -> BpfModule.config(binder).setBinding()
            .toInstance(BpfConfig.LATEST.withAccountGfp(0));

    @Test
    void mapAreasThatAreNeverChargedFailTheWalkWhichShrinksToTheCreate() {
        KernelConfig config = KernelConfig.memory("16M").override(UNACCOUNTED_MAP_AREAS);
        Kernel k = Kernel.boot(Era.LATEST, config);
        AssertionError failure = catchThrowableOfType(() -> new WalkRunner(config, ActionKinds.defaults())
                .run(k, RandomWalkTest.WALKS, STEPS, 0xb9fL), AssertionError.class);
        InjectedBugTest.closeStopped(k);

        System.out.println("MSG " + failure.getMessage());
        assertThat(failure).as("the walk finds the uncharged map areas").isNotNull();
        InjectedBugTest.assertShrunkTo(failure, "Mkdir[", "Spawn[", "BpfMapCreate[");
    }
}
