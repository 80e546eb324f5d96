package org.mmemu.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.testing.CpuThread;

/** Per-CPU work ({@code schedule_work_on}): who runs it, and when. */
class CpuWorkTest {
    private final Cpus cpus = new Cpus(3);
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void nothingLeftQueued() {
        cpus.flushWork();
        for (int c = 0; c < cpus.nrCpus(); c++) {
            assertThat(cpus.cpu(c).hasPendingWork()).as("cpu%d", c).isFalse();
        }
        cpus.unbind();
    }

    private Runnable record(String what) {
        return () -> ran.add(what + " on " + Thread.currentThread().getName());
    }

    @Test
    void workForTheCallersOwnCpuRunsAtOnce() {
        Cpu self = cpus.bind(0);
        cpus.scheduleWorkOn(self, record("w"));
        assertThat(ran).containsExactly("w on " + Thread.currentThread().getName());
        assertThat(self.hasPendingWork()).isFalse();
    }

    @Test
    void workForACpuNoThreadOwnsRunsAtOnceAndLeavesTheCpuFree() {
        cpus.bind(0);
        cpus.scheduleWorkOn(cpus.cpu(2), record("w"));
        assertThat(ran).containsExactly("w on " + Thread.currentThread().getName());
        CpuThread o = CpuThread.start(cpus, 2);
        o.finish();
    }

    @Test
    void workForALiveThreadsCpuWaitsForItsNextSchedulePoint() {
        cpus.bind(0);
        CpuThread o = CpuThread.start(cpus, 1);
        cpus.scheduleWorkOn(cpus.cpu(1), record("w"));
        assertThat(ran).as("queued, not run by the caller").isEmpty();
        assertThat(cpus.cpu(1).hasPendingWork()).isTrue();
        o.runAndWait(cpus::condResched);
        assertThat(ran).containsExactly("w on cpu1-thread");
        o.finish();
    }

    @Test
    void unbindingRunsTheQueuedWorkFirst() {
        cpus.bind(0);
        CpuThread o = CpuThread.start(cpus, 1);
        cpus.scheduleWorkOn(cpus.cpu(1), record("w"));
        o.runAndWait(cpus::unbind);
        assertThat(ran).containsExactly("w on cpu1-thread");
        o.finish();
    }

    @Test
    void movingToAnotherCpuRunsTheOldCpusWork() {
        cpus.bind(0);
        CpuThread o = CpuThread.start(cpus, 1);
        cpus.scheduleWorkOn(cpus.cpu(1), record("w"));
        o.runAndWait(() -> cpus.bind(2));
        assertThat(ran).containsExactly("w on cpu1-thread");
        o.finish();
    }

    @Test
    void workLeftByADeadThreadIsRunByTheNextCaller() throws InterruptedException {
        cpus.bind(0);
        CountDownLatch bound = new CountDownLatch(1);
        CountDownLatch die = new CountDownLatch(1);
        Thread diesBound = new Thread(() -> {
            cpus.bind(1);
            bound.countDown();
            await(die);   // and ends without unbinding, its work still queued
        });
        diesBound.start();
        bound.await();
        cpus.scheduleWorkOn(cpus.cpu(1), record("left"));
        die.countDown();
        diesBound.join();
        cpus.scheduleWorkOn(cpus.cpu(1), record("next"));
        assertThat(ran).containsExactly("left on " + Thread.currentThread().getName(),
                "next on " + Thread.currentThread().getName());
    }

    @Test
    void flushWorkWaitsForALiveOwnerToReachASchedulePoint() {
        cpus.bind(0);
        CpuThread o = CpuThread.start(cpus, 1);
        cpus.scheduleWorkOn(cpus.cpu(1), record("w"));
        o.submit(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cpus.condResched();
        });
        cpus.flushWork();
        assertThat(ran).containsExactly("w on cpu1-thread");
        o.finish();
    }

    @Test
    void runningAnotherThreadsWorkIsRefused() {
        assertThatThrownBy(() -> cpus.runPendingWork(cpus.cpu(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cpu2 is not the calling thread's CPU");
    }

    @Test
    void aCpuBeingWorkedOnIsNotFreeToBindUntilTheWorkIsDone() throws InterruptedException {
        cpus.bind(0);
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicReference<Cpu> boundTo = new AtomicReference<>();
        Thread worker = new Thread(() -> cpus.scheduleWorkOn(cpus.cpu(1), () -> {
            working.countDown();
            await(finish);
        }), "worker");
        worker.start();
        working.await();
        Thread binder = new Thread(() -> boundTo.set(cpus.bind(1)), "binder");
        binder.start();
        binder.join(100);
        assertThat(boundTo.get()).as("bind waits while the work runs").isNull();
        finish.countDown();
        binder.join();
        worker.join();
        assertThat(boundTo.get()).isSameAs(cpus.cpu(1));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
