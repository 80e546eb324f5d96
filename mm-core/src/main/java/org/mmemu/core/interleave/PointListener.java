package org.mmemu.core.interleave;

/**
 * What a thread does at the armed points it reaches: usually park until the test lets it go.
 * Called on the reaching thread, for every armed point, including points armed for another
 * listener's sake; a listener decides which ones concern it.
 */
@FunctionalInterface
public interface PointListener {
    /** The calling thread reached {@code point}, which is armed; may block. */
    void reached(InterleavingPoint point);
}
