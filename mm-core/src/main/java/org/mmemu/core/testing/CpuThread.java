package org.mmemu.core.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 */
public final class CpuThread extends Thread {
    /** How long {@link #runAndWait}, {@link #start} and {@link #finish} wait before failing. */
    public static final long TIMEOUT_SECONDS = 10;

    private final Cpus cpus;
    private final int cpu;
    private final LinkedBlockingQueue<Runnable> steps = new LinkedBlockingQueue<>();
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
        if (thrown[0] instanceof RuntimeException e) {
            throw e;
        }
        if (thrown[0] instanceof Error e) {
            throw e;
        }
    }

    /** Runs the steps still queued, unbinds the CPU (running its queued work) and ends. */
    public void finish() {
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
