package org.mmemu.core.testing;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.interleave.Interleavings;
import org.mmemu.core.sched.Cpus;

/**
 * A thread bound to one emulated CPU for its whole life, running the steps a test hands it one
 * at a time: a second CPU whose thread stays alive between steps, as a kernel CPU does, for
 * tests of per-CPU state and per-CPU work.
 *
 * <pre>
 *  CpuThread cpu1 = CpuThread.start(cpus, 1);
 *  cpu1.runAndWait(() -&gt; charger.kmemCharge(job, GFP_KERNEL, 1));   // on cpu1, waits
 *  cpu1.submit(cpus::condResched);                                    // on cpu1, no wait
 *  cpu1.finish();                                                     // unbinds and ends
 * </pre>
 *
 * <p>It also stops a step at a named {@link InterleavingPoint}, to reproduce a race: the step
 * parks there while the test (or another CPU's thread) runs, and goes on when released. The
 * point is armed for this thread only; any other thread passes it.
 *
 * <pre>
 *  cpu1.runUntil(BETWEEN_READS, () -&gt; seen[0] = reader.read(page));   // parks at the point
 *  writer.attach(page);                                                 // on the test's CPU
 *  cpu1.release();                                                      // the read completes
 * </pre>
 */
public final class CpuThread extends Thread {
    /** How long {@link #runAndWait}, {@link #start} and {@link #finish} wait before failing. */
    public static final long TIMEOUT_SECONDS = 10;

    private final Cpus cpus;
    private final int cpu;
    private final LinkedBlockingQueue<Runnable> steps = new LinkedBlockingQueue<>();
    private final PointGate gate = new PointGate(this);
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile boolean stop;
    private volatile Throwable failure;

    private CpuThread(Cpus cpus, int cpu) {
        super("cpu" + cpu + "-thread");
        this.cpus = cpus;
        this.cpu = cpu;
        setDaemon(true);
    }

    /** Starts a thread bound to CPU {@code cpu} of {@code cpus} and waits until it is bound. */
    public static CpuThread start(Cpus cpus, int cpu) {
        CpuThread t = new CpuThread(cpus, cpu);
        t.start();
        await(t.bound, "binding cpu" + cpu);
        if (t.failure != null) {
            throw new IllegalStateException("cpu" + cpu + " could not be bound", t.failure);
        }
        return t;
    }

    @Override
    public void run() {
        try {
            cpus.bind(cpu);
        } catch (RuntimeException e) {
            failure = e;
            bound.countDown();
            return;
        }
        bound.countDown();
        Interleavings.listen(gate);
        try {
            while (!stop || !steps.isEmpty()) {
                Runnable step = steps.poll(10, TimeUnit.MILLISECONDS);
                if (step != null) {
                    step.run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Interleavings.unlisten();
            cpus.unbind();
        }
    }

    /** Queues {@code step} to run on this thread's CPU, without waiting for it. */
    public void submit(Runnable step) {
        steps.add(step);
    }

    /**
     * Runs {@code step} on this thread's CPU and waits for it; what it throws is rethrown here
     * (an {@link AssertionError} or a {@link RuntimeException} as it is).
     */
    public void runAndWait(Runnable step) {
        if (gate.isParked()) {
            throw new IllegalStateException(gate.describe() + ": release it first");
        }
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] thrown = new Throwable[1];
        steps.add(() -> {
            try {
                step.run();
            } catch (Throwable e) {
                thrown[0] = e;
            } finally {
                done.countDown();
            }
        });
        await(done, "a step on cpu" + cpu);
        rethrow(thrown[0]);
    }

    private static void rethrow(Throwable thrown) {
        if (thrown instanceof RuntimeException e) {
            throw e;
        }
        if (thrown instanceof Error e) {
            throw e;
        }
    }

    // ---- interleaving points ----------------------------------------------------------------

    /**
     * Runs {@code step} on this thread's CPU until it reaches {@code point}, and returns with
     * the thread parked there; {@link #resumeUntil} or {@link #release} lets it go on.
     *
     * @throws AssertionError if the step ends without reaching the point (with what it threw)
     * @throws IllegalStateException if it neither reaches the point nor ends within
     *     {@link #TIMEOUT_SECONDS} (naming the thread, the point and where the thread is), or
     *     if a step of this thread is still parked
     */
    public void runUntil(InterleavingPoint point, Runnable step) {
        submit(gate.begin(step, point::equals, List.of(point)));
        expectParkedAt(point);
    }

    /** Lets the parked step go on until it reaches {@code point}, where it parks again. */
    public void resumeUntil(InterleavingPoint point) {
        gate.resume(point::equals, List.of(point));
        expectParkedAt(point);
    }

    /**
     * Lets the parked step go on to its end, and waits for it; what it throws is rethrown here,
     * as by {@link #runAndWait}.
     */
    public void release() {
        gate.resume(null, List.of());
        gate.awaitStop("the end of its step");
        rethrow(gate.failure());
    }

    private void expectParkedAt(InterleavingPoint point) {
        if (gate.awaitStop(point.toString()) == null) {
            throw new AssertionError(getName() + "'s step ended without reaching " + point,
                    gate.failure());
        }
    }

    /**
     * Starts {@code step} as an interleaved step that parks wherever {@code stopAt} says, and
     * returns where it parked, or null if it ended. For {@link SeededInterleaving}.
     */
    InterleavingPoint start(Runnable step, Predicate<InterleavingPoint> stopAt) {
        submit(gate.begin(step, stopAt, List.of()));
        return gate.awaitStop("an interleaving point or the end of its step");
    }

    /** Resumes the parked step until {@code stopAt} says; as {@link #start}. */
    InterleavingPoint resume(Predicate<InterleavingPoint> stopAt) {
        gate.resume(stopAt, List.of());
        return gate.awaitStop("an interleaving point or the end of its step");
    }

    /** Shortens the wait for an interleaved step to stop, for tests of that timeout. */
    void setPointTimeoutMillis(long millis) {
        gate.setTimeoutMillis(millis);
    }

    /** What the last interleaved step threw once it ended, or null. */
    Throwable stepFailure() {
        return gate.failure();
    }

    /**
     * Runs the steps still queued, unbinds the CPU (running its queued work) and ends.
     *
     * @throws IllegalStateException if a step is parked at an interleaving point (release it
     *     first), or if the thread does not end within {@link #TIMEOUT_SECONDS}
     */
    public void finish() {
        if (gate.isParked()) {
            throw new IllegalStateException(gate.describe() + ": release it before finish()");
        }
        stop = true;
        try {
            join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (isAlive()) {
            throw new IllegalStateException(getName() + " did not finish within "
                    + TIMEOUT_SECONDS + " s");
        }
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " took more than " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }
}
