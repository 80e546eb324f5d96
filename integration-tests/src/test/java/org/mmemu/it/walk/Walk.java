package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.mmemu.kernel.Kernel;

/**
 * One walk on a kernel at its boot state: actions, each followed by the {@link Invariants},
 * then the teardown (every task exits, every page and object the walk made is freed, every
 * cgroup removed, deepest first) after which the kernel must be back at {@code boot}.
 */
final class Walk {
    /** A failed walk: the actions up to the failing one (all of them if the teardown failed). */
    record Failure(List<Action> actions, Throwable error) {
    }

    private Walk() {
    }

    /** Walks {@code steps} random actions; null if every check held. */
    static Failure random(Kernel k, BootState boot, ActionKinds kinds, SplittableRandom rnd, int steps) {
        World w = new World(k);
        List<Action> done = new ArrayList<>();
        try {
            for (int i = 0; i < steps; i++) {
                Action a = kinds.next(w, rnd);
                done.add(a);
                step(w, a);
            }
            teardown(w, boot);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return new Failure(done, e);
        }
    }

    /** Replays {@code actions} on {@code k} as {@link #random} walked them; what fails, or null. */
    static Throwable replay(Kernel k, BootState boot, List<Action> actions) {
        World w = new World(k);
        try {
            for (Action a : actions) {
                step(w, a);
            }
            teardown(w, boot);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }

    private static void step(World w, Action a) {
        a.apply(w);
        w.reapKilled();
        Invariants.check(w);
    }

    private static void teardown(World w, BootState boot) {
        Model m = w.m;
        for (ModelTask t : List.copyOf(m.tasks.values())) {
            new Exit(t.id).apply(w);
        }
        for (String id : List.copyOf(m.kmemPages.keySet())) {
            new KmemFree(id).apply(w);
        }
        for (String id : List.copyOf(m.objects.keySet())) {
            new Kfree(id).apply(w);
        }
        List<ModelCgroup> live = m.liveCgroups();
        live.sort(Comparator.comparingInt((ModelCgroup g) -> g.path.length()).reversed());
        for (ModelCgroup g : live) {
            new Rmdir(g.path).apply(w);
        }
        w.k.cgroupfs().rmdir(World.TOP);
        RcuBarrier.settle(w.k);
        w.k.drainAllStock();
        BootState now = BootState.of(w.k);
        if (!now.equals(boot)) {
            throw new AssertionError("after the teardown the kernel is not at its boot state:\n" + now.text()
                    + "\nboot:\n" + boot.text());
        }
        List<String> problems = w.k.checkConsistency();
        if (!problems.isEmpty()) {
            throw new AssertionError("after the teardown:\n" + String.join("\n", problems));
        }
    }
}
