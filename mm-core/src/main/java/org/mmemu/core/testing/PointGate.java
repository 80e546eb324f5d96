package org.mmemu.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.interleave.Interleavings;
import org.mmemu.core.interleave.PointListener;

/**
 * The interleaved step of one {@link CpuThread}: where its thread is to stop, where it is
 * parked, and the hand-over between that thread and the test, which take turns: while the
 * thread runs, the test waits in {@link #awaitStop}, and while the test runs, the thread is
 * parked or its step has ended. All state is guarded by this object's monitor.
 */
final class PointGate implements PointListener {
    private final Thread thread;
    /** How long {@link #awaitStop} waits; shorter only in the tests of the timeout itself. */
    private long timeoutMillis = TimeUnit.SECONDS.toMillis(CpuThread.TIMEOUT_SECONDS);
    /** Where the running step is to stop next; null: nowhere. */
    private Predicate<InterleavingPoint> stopAt;
    private InterleavingPoint parkedAt;
    private boolean running;
    private Throwable failure;
    /** The points armed for the running step, disarmed when it ends. */
    private final List<InterleavingPoint> armed = new ArrayList<>();

    PointGate(Thread thread) {
        this.thread = thread;
    }

    /** On the CPU's thread: parks there if the running step is to stop at {@code point}. */
    @Override
    public synchronized void reached(InterleavingPoint point) {
        if (stopAt == null || !stopAt.test(point)) {
            return;
        }
        stopAt = null;
        parkedAt = point;
        notifyAll();
        while (parkedAt != null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while parked at " + point, e);
            }
        }
    }

    /**
     * Wraps {@code step} as the interleaved step, stopping where {@code stopAt} says, with
     * {@code points} armed until it ends.
     */
    synchronized Runnable begin(Runnable step, Predicate<InterleavingPoint> stopAt,
                                List<InterleavingPoint> points) {
        if (running) {
            throw new IllegalStateException(describe() + ": release it before the next step");
        }
        running = true;
        failure = null;
        this.stopAt = stopAt;
        arm(points);
        return () -> {
            try {
                step.run();
            } catch (Throwable e) {
                synchronized (this) {
                    failure = e;
                }
            } finally {
                end();
            }
        };
    }

    private synchronized void end() {
        Interleavings.disarm(armed);
        armed.clear();
        stopAt = null;
        running = false;
        notifyAll();
    }

    /** Lets the parked thread go on until {@code stopAt} says (null: to the step's end). */
    synchronized void resume(Predicate<InterleavingPoint> stopAt, List<InterleavingPoint> points) {
        if (parkedAt == null) {
            throw new IllegalStateException(thread.getName() + " is not parked at an interleaving point");
        }
        arm(points);
        this.stopAt = stopAt;
        parkedAt = null;
        notifyAll();
    }

    private void arm(List<InterleavingPoint> points) {
        Interleavings.arm(points);
        armed.addAll(points);
    }

    /**
     * Waits until the thread parks (returns the point) or its step ends (returns null).
     *
     * @throws IllegalStateException naming the thread, {@code what} it was to reach and where it
     *     is, if neither happens within {@link CpuThread#TIMEOUT_SECONDS} seconds
     */
    synchronized InterleavingPoint awaitStop(String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (running && parkedAt == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(thread.getName() + " did not reach " + what
                        + " within " + timeoutMillis + " ms; it is " + whereIs());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        return parkedAt;
    }

    synchronized void setTimeoutMillis(long millis) {
        timeoutMillis = millis;
    }

    /** What the ended step threw, or null. */
    synchronized Throwable failure() {
        return failure;
    }

    /** Whether an interleaved step is parked at a point. */
    synchronized boolean isParked() {
        return parkedAt != null;
    }

    /** "cpu1-thread is parked at interleaving point x" or "... is running a step". */
    synchronized String describe() {
        return thread.getName() + (parkedAt != null ? " is parked at " + parkedAt : " is running a step");
    }

    /** The thread's state and its innermost frame outside the JDK (where it is stuck). */
    private String whereIs() {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (!frame.getClassName().startsWith("java.") && !frame.getClassName().startsWith("jdk.")) {
                return thread.getState() + " at " + frame;
            }
        }
        return thread.getState().toString();
    }
}
