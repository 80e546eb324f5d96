package org.mmemu.core.interleave;

/**
 * A named place in kernel code where a test may stop a thread, to reproduce a race
 * deterministically: between the two loads of a lockless reader, say, while another CPU writes.
 * Declared once, as a constant, where the code is:
 *
 * <pre>
 *  static final InterleavingPoint BETWEEN_READS = InterleavingPoint.declare("from_obj:between_reads");
 *  ...
 *  long data = page.memcgData();
 *  BETWEEN_READS.reach();
 *  ... page.memcgData() ...
 * </pre>
 *
 * <p>While no test anywhere arms the point, {@link #reach()} is one plain field read and a
 * predictable branch: no allocation, no lock, no barrier. Armed, it calls the reaching thread's
 * {@link PointListener} if that thread has one ({@link Interleavings#listen}); every other
 * thread passes through, so tests running in parallel do not stop each other's threads.
 */
public final class InterleavingPoint {
    private final String name;
    /**
     * How many armings include this point, JVM-wide; written under the {@link Interleavings}
     * lock. Plain on purpose: a thread that misses a change is not one whose listener arms it
     * (listeners and their armings are handed to a thread through a lock), so it may pass.
     */
    private int armings;

    InterleavingPoint(String name, int armings) {
        this.name = name;
        this.armings = armings;
    }

    /**
     * Declares the point named {@code name} ("subsystem:where"); each name is declared once.
     *
     * @throws IllegalStateException if a point of that name was declared already
     */
    public static InterleavingPoint declare(String name) {
        return Interleavings.declare(name);
    }

    /** The point's name, as declared. */
    public String name() {
        return name;
    }

    /** Passes the point: stops here only if a test armed it for the calling thread. */
    public void reach() {
        if (armings != 0) {
            Interleavings.reached(this);
        }
    }

    void addArmings(int delta) {
        armings += delta;
    }

    boolean isArmed() {
        return armings != 0;
    }

    @Override
    public String toString() {
        return "interleaving point " + name;
    }
}
