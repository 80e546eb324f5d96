package org.mmemu.it.walk;

import java.util.SplittableRandom;

/**
 * Makes actions of one kind for a walk: {@link #next} picks its arguments from the world as it
 * is (null when the kind has nothing to act on), {@link #weight} how often it is tried.
 * {@link ActionKinds#defaults()} lists the kinds; a new subsystem adds its own there.
 */
interface ActionKind {
    int weight();

    Action next(World w, SplittableRandom rnd);

    /** A kind of {@code weight} made by {@code next}. */
    static ActionKind of(int weight, Generator next) {
        return new ActionKind() {
            @Override
            public int weight() {
                return weight;
            }

            @Override
            public Action next(World w, SplittableRandom rnd) {
                return next.next(w, rnd);
            }
        };
    }

    /** The argument picking of a kind. */
    @FunctionalInterface
    interface Generator {
        Action next(World w, SplittableRandom rnd);
    }
}
