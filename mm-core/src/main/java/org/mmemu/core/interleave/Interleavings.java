package org.mmemu.core.interleave;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The registry of {@link InterleavingPoint}s, their arming and the threads listening at them.
 *
 * <p>Arming is JVM-wide and counted: it makes {@link InterleavingPoint#reach()} leave its fast
 * path, nothing more. Only a thread with a {@link PointListener} ({@link #listen}) acts on an
 * armed point, and only the test that installed that listener on it decides what it does, so
 * machines in parallel tests never see each other's armings. Test support
 * ({@code org.mmemu.core.testing.CpuThread}) builds on this; kernel code only declares and
 * reaches points.
 */
public final class Interleavings {
    private static final Object LOCK = new Object();
    private static final Map<String, InterleavingPoint> POINTS = new HashMap<>();
    private static final ThreadLocal<PointListener> LISTENER = new ThreadLocal<>();
    /** How many {@link #armAll()} are in effect: a point declared meanwhile starts armed. */
    private static int allArmings;

    private Interleavings() {
    }

    static InterleavingPoint declare(String name) {
        synchronized (LOCK) {
            if (POINTS.containsKey(name)) {
                throw new IllegalStateException("interleaving point " + name + " is declared twice");
            }
            InterleavingPoint p = new InterleavingPoint(name, allArmings);
            POINTS.put(name, p);
            return p;
        }
    }

    /** Arms {@code points}, until as many {@link #disarm} calls. */
    public static void arm(Collection<InterleavingPoint> points) {
        addArmings(points, 1);
    }

    /**
     * Undoes one {@link #arm} of {@code points}.
     *
     * @throws IllegalStateException if one of them is not armed
     */
    public static void disarm(Collection<InterleavingPoint> points) {
        addArmings(points, -1);
    }

    private static void addArmings(Collection<InterleavingPoint> points, int delta) {
        synchronized (LOCK) {
            for (InterleavingPoint p : points) {
                if (delta < 0 && !p.isArmed()) {
                    throw new IllegalStateException(p + " is disarmed more often than armed");
                }
            }
            for (InterleavingPoint p : points) {
                p.addArmings(delta);
            }
        }
    }

    /** Arms every point, those declared later too, until {@link #disarmAll()}. */
    public static void armAll() {
        synchronized (LOCK) {
            allArmings++;
            POINTS.values().forEach(p -> p.addArmings(1));
        }
    }

    /** Undoes one {@link #armAll()}. */
    public static void disarmAll() {
        synchronized (LOCK) {
            if (allArmings == 0) {
                throw new IllegalStateException("disarmAll without armAll");
            }
            allArmings--;
            POINTS.values().forEach(p -> p.addArmings(-1));
        }
    }

    /**
     * Makes {@code listener} the calling thread's until {@link #unlisten()}: it is called at
     * every armed point this thread reaches.
     *
     * @throws IllegalStateException if the thread has a listener already
     */
    public static void listen(PointListener listener) {
        if (LISTENER.get() != null) {
            throw new IllegalStateException("thread " + Thread.currentThread().getName()
                    + " already listens at interleaving points");
        }
        LISTENER.set(listener);
    }

    /** Removes the calling thread's listener, if any. */
    public static void unlisten() {
        LISTENER.remove();
    }

    /** The slow path of an armed point: the reaching thread's listener, if any, decides. */
    static void reached(InterleavingPoint point) {
        PointListener l = LISTENER.get();
        if (l != null) {
            l.reached(point);
        }
    }
}
