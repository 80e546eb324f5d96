package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta debugging ({@code ddmin}, Zeller and Hildebrandt) over a failing walk's actions: removes
 * chunks, then single actions, while the rest still fails, each candidate replayed on a fresh
 * kernel, until no single action can go or the replay budget is spent.
 */
final class Shrinker {
    private final Predicate<List<Action>> fails;
    private final int budget;
    private int replays;

    Shrinker(Predicate<List<Action>> fails, int budget) {
        this.fails = fails;
        this.budget = budget;
    }

    /** How many replays the last {@link #shrink} made. */
    int replays() {
        return replays;
    }

    /** The shortest subsequence of {@code failing} found that still fails. */
    List<Action> shrink(List<Action> failing) {
        List<Action> current = failing;
        int n = 2;
        while (current.size() >= 2 && replays < budget) {
            int chunk = (current.size() + n - 1) / n;
            boolean reduced = false;
            for (int start = 0; start < current.size() && replays < budget; start += chunk) {
                List<Action> complement = new ArrayList<>(current.subList(0, start));
                complement.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
                if (stillFails(complement)) {
                    current = complement;
                    n = Math.max(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (n >= current.size()) {
                    break;
                }
                n = Math.min(current.size(), 2 * n);
            }
        }
        return current;
    }

    private boolean stillFails(List<Action> candidate) {
        replays++;
        return !candidate.isEmpty() && fails.test(candidate);
    }
}
