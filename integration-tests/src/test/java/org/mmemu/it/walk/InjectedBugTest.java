package org.mmemu.it.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mmemu.core.page.Gfp.GFP_HIGHUSER;

import com.google.inject.Module;
import org.junit.jupiter.api.Test;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.pipe.PipeConfig;
import org.mmemu.pipe.PipeModule;

/**
 * The walk finds a real bug and shrinks it: a policy override that allocates pipe pages without
 * {@code __GFP_ACCOUNT} (a pipe page never charged, and so never uncharged, as if "pipe: account
 * to kmemcg" were undone) must fail the walk, with the shortest failing sequence the few actions
 * a pipe write needs (and what drains the stock that hid the missing charge, if the check that
 * caught it was not exact).
 */
class InjectedBugTest {
    /** Short walks: the shrink replays each candidate on a fresh kernel. */
    private static final int STEPS = 12;

    /** The latest era's pipes, but their pages unaccounted. */
    private static final Module UNACCOUNTED_PIPE_PAGES = binder -> PipeModule.config(binder).setBinding()
            .toInstance(new PipeConfig(GFP_HIGHUSER, PipeConfig.LATEST.objectGfp(), PipeConfig.LATEST.pipeInodeInfoSize(),
                    PipeConfig.LATEST.limits(), PipeConfig.LATEST.sharedBuffersMergeable()));

    @Test
    void aPipePageThatIsNeverChargedFailsTheWalkWhichShrinksToTheWrite() {
        KernelConfig config = KernelConfig.memory("16M").override(UNACCOUNTED_PIPE_PAGES);
        Kernel k = Kernel.boot(Era.LATEST, config);
        AssertionError failure = catchThrowableOfType(() -> new WalkRunner(config, ActionKinds.defaults())
                .run(k, RandomWalkTest.WALKS, STEPS, 0xb06L), AssertionError.class);
        closeStopped(k);

        assertThat(failure).as("the walk finds the uncharged page").isNotNull();
        assertShrunkTo(failure, "Mkdir[", "Spawn[", "PipeCreate[", "PipeWrite[");
    }

    /**
     * Closes a kernel whose walk stopped at its failure: what the walk still held (its kernel
     * pages, which only its teardown frees) may be reported as leaked pages, nothing else.
     */
    static void closeStopped(Kernel k) {
        ConsistencyFailure left = catchThrowableOfType(k::close, ConsistencyFailure.class);
        if (left != null) {
            assertThat(left.getMessage()).as("what the stopped walk left: its own pages, nothing broken")
                    .contains("page leak").doesNotContain("memcg:", "slab:", "buddy:", "rcu:");
        }
    }

    /**
     * That {@code failure} reports a seed and a memory.current mismatch, shrunk to the
     * {@code needed} actions and at most a cgroup and a spawn whose stock switch drains the
     * stock that hid the missing charge.
     */
    static void assertShrunkTo(AssertionError failure, String... needed) {
        String report = failure.getMessage();
        assertThat(report).contains("failed with seed ", "shortest failing sequence found", "memory.current");
        String shortest = report.substring(report.indexOf("shortest failing sequence found"));
        assertThat(shortest).contains(needed);
        assertThat(shortest.lines().filter(l -> l.matches("\\s+\\d+\\. .*")).count())
                .as("the actions the bug needs, and at most a cgroup and a spawn whose stock switch drains it")
                .isBetween((long) needed.length, needed.length + 2L);
    }
}
