package org.mmemu.it.walk;

import java.util.List;
import java.util.SplittableRandom;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.testing.Seeded;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;

/**
 * Runs many walks on one booted kernel (each walk ends at the boot state, which it checks, so
 * the next starts from it) and, on the first failure, shrinks it on fresh kernels of the same
 * configuration and fails with the seed and the shortest failing action list.
 */
final class WalkRunner {
    /** How many fresh kernels a shrink may boot. */
    static final int SHRINK_REPLAYS = 400;

    private final KernelConfig config;
    private final ActionKinds kinds;

    WalkRunner(KernelConfig config, ActionKinds kinds) {
        this.config = config;
        this.kinds = kinds;
    }

    /** The boot state of {@code k}, RCU idle and stocks drained. */
    static BootState quiesce(Kernel k) {
        k.get(Rcu.class).rcuBarrier();
        k.drainAllStock();
        return BootState.of(k);
    }

    /**
     * Walks {@code walks} walks of {@code steps} actions on {@code k}, seeded from
     * {@code defaultSeed} ({@link Seeded}); fails with the shrunk walk.
     */
    void run(Kernel k, int walks, int steps, long defaultSeed) {
        BootState boot = quiesce(k);
        Seeded.run(defaultSeed, rnd -> {
            for (int i = 0; i < walks; i++) {
                long seed = rnd.nextLong();
                Walk.Failure f = Walk.random(k, boot, kinds, new SplittableRandom(seed), steps);
                if (f != null) {
                    throw new AssertionError(report(k.era(), i, walks, seed, f), f.error());
                }
            }
        });
    }

    /** The first failing walk's report, its actions shrunk. */
    String report(Era era, int walk, int walks, long seed, Walk.Failure f) {
        Shrinker shrinker = new Shrinker(actions -> replayFails(era, actions) != null, SHRINK_REPLAYS);
        List<Action> shortest = shrinker.shrink(f.actions());
        Throwable last = replayFails(era, shortest);
        StringBuilder sb = new StringBuilder();
        sb.append("walk ").append(walk + 1).append(" of ").append(walks).append(" (").append(era)
                .append(", walk seed ").append(seed).append(") failed after ").append(f.actions().size())
                .append(" actions: ").append(f.error().getMessage()).append('\n');
        sb.append("shortest failing sequence found (").append(shortest.size()).append(" of ")
                .append(f.actions().size()).append(" actions, ").append(shrinker.replays())
                .append(" replays on fresh kernels):\n");
        for (int i = 0; i < shortest.size(); i++) {
            sb.append(String.format("%4d. %s%n", i + 1, shortest.get(i)));
        }
        sb.append("which fails with: ").append(last == null ? "(nothing: the failure needs the kernel's history)"
                : last.getMessage());
        return sb.toString();
    }

    /** Replays {@code actions} on a fresh kernel; what fails (the close included), or null. */
    Throwable replayFails(Era era, List<Action> actions) {
        Kernel k = Kernel.boot(era, config);
        Throwable failed;
        try {
            failed = Walk.replay(k, quiesce(k), actions);
        } catch (AssertionError | RuntimeException e) {
            failed = e;
        }
        try {
            k.close();
        } catch (AssertionError | RuntimeException e) {
            return failed != null ? failed : e;
        }
        return failed;
    }
}
