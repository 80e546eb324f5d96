package org.mmemu.it.fray;

import java.util.concurrent.atomic.AtomicReference;
import org.mmemu.core.sched.Cpus;

/** One round of a two-CPU race: the calling thread as CPU 0, a new thread as CPU 1. */
final class TwoCpus {
    private TwoCpus() {
    }

    /**
     * Runs {@code cpu1} on a new thread bound to CPU 1 while the calling thread, bound to CPU 0,
     * runs {@code cpu0}. Both CPUs are given back (the work queued for them run) before this
     * returns; what {@code cpu1} threw is rethrown here, after the join.
     */
    static void race(Cpus cpus, Runnable cpu0, Runnable cpu1) {
        cpus.bind(0);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread other = new Thread(() -> {
            cpus.bind(1);
            try {
                cpu1.run();
            } catch (RuntimeException | AssertionError e) {
                failed.set(e);
            } finally {
                cpus.unbind();
            }
        }, "cpu1");
        other.start();
        try {
            cpu0.run();
        } finally {
            join(other);
            cpus.unbind();
        }
        Throwable t = failed.get();
        if (t != null) {
            throw new AssertionError("on cpu1: " + t, t);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
