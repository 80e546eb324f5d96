package org.mmemu.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    void queuedWorkWaitsEvenOnTheCallersOwnCpuUntilASchedulePoint() {
        Cpu self = cpus.bind(0);
        cpus.queueWork(self, record("w"));
        assertThat(ran).as("queue_work: a kworker runs it later").isEmpty();
        assertThat(self.hasPendingWork()).isTrue();
        cpus.condResched();
        assertThat(ran).containsExactly("w on " + Thread.currentThread().getName());
    }

    @Test
    void queuedWorkForAFreeCpuWaitsForTheFlush() {
        cpus.bind(0);
        cpus.queueWork(cpus.cpu(2), record("w"));
        assertThat(ran).isEmpty();
        cpus.flushWork();
        assertThat(ran).containsExactly("w on " + Thread.currentThread().getName());
        assertThat(cpus.cpu(2).hasPendingWork()).isFalse();
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
    void workOnEachCpuReachesEveryCpuThoughOneItemFails() {
        cpus.bind(0);
        CpuThread o = CpuThread.start(cpus, 1);
        RuntimeException boom = new IllegalStateException("boom on cpu0");
        RuntimeException bang = new IllegalStateException("bang on cpu2");
        assertThatThrownBy(() -> cpus.scheduleWorkOnEach(c -> switch (c) {
            case 0 -> () -> {
                throw boom;
            };
            case 1 -> record("w1");
            default -> () -> {
                ran.add("w2");
                throw bang;
            };
        })).isSameAs(boom).satisfies(e -> assertThat(e.getSuppressed()).containsExactly(bang));
        assertThat(ran).as("cpu2, no live owner: at once; cpu1's owner: at its schedule point")
                .containsExactly("w2");
        o.runAndWait(cpus::condResched);
        assertThat(ran).containsExactly("w2", "w1 on cpu1-thread");
        o.finish();
    }

    @Test
    void workOnEachCpuSkipsTheCpusGivenNoItem() {
        cpus.bind(0);
        cpus.scheduleWorkOnEach(c -> c == 1 ? record("w1") : null);
        assertThat(ran).containsExactly("w1 on " + Thread.currentThread().getName());
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

    @Test
    void aThreadWithNoCpuRunningWorkForOneIsThatCpuMeanwhileAndStaysUnbound() {
        AtomicReference<Cpu> seen = new AtomicReference<>();
        cpus.scheduleWorkOn(cpus.cpu(2), () -> seen.set(cpus.current()));
        assertThat(seen.get()).as("current() inside the work").isSameAs(cpus.cpu(2));
        assertThat(cpus.currentIfBound()).as("and no CPU taken for good").isNull();
        assertThat(cpus.cpu(2).hasLiveOwner()).isFalse();
    }

    @Test
    void aThreadThatMovedCpusAndRunsWorkForItsOldOneIsStillOnItsNewOneMeanwhile() {
        cpus.bind(2);
        assertThat(cpus.current()).isSameAs(cpus.cpu(2));
        cpus.bind(0);
        AtomicReference<Cpu> seen = new AtomicReference<>();
        // cpu2 is free now: the caller borrows it to run the work, and owns it meanwhile.
        cpus.scheduleWorkOn(cpus.cpu(2), () -> seen.set(cpus.current()));
        assertThat(seen.get()).as("current() inside the work").isSameAs(cpus.cpu(0));
        assertThat(cpus.current()).isSameAs(cpus.cpu(0));
    }

    @Test
    void aFailingWorkItemDoesNotStopTheOthersNorKeepTheCpu() {
        assertThatThrownBy(() -> cpus.scheduleWorkOn(cpus.cpu(2), () -> {
            cpus.scheduleWorkOn(cpus.cpu(2), record("queued behind"));
            throw new IllegalStateException("work failed");
        })).hasMessage("work failed");
        assertThat(ran).as("the item queued behind the failure ran").hasSize(1);
        assertThat(cpus.cpu(2).hasLiveOwner()).isFalse();
        assertThat(cpus.cpu(2).hasPendingWork()).isFalse();
    }

    @Test
    void workQueuedWhileAnotherThreadRunsACpusWorkIsNeverStranded() throws InterruptedException {
        Cpu idle = cpus.cpu(2);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger stranded = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        int perThread = 50_000;
        Runnable queueing = () -> {
            for (int i = 0; i < perThread; i++) {
                cpus.scheduleWorkOn(idle, ran::incrementAndGet);
            }
        };
        // Seen under the Cpus monitor, work on a CPU that nobody owns is stranded: nobody will
        // run it until someone else happens to queue work there.
        Thread observer = new Thread(() -> {
            while (!done.get()) {
                synchronized (cpus) {
                    if (idle.hasPendingWork() && !idle.hasLiveOwner()) {
                        stranded.incrementAndGet();
                    }
                }
            }
        });
        Thread a = new Thread(queueing);
        Thread b = new Thread(queueing);
        observer.start();
        a.start();
        b.start();
        a.join();
        b.join();
        done.set(true);
        observer.join();
        assertThat(stranded).as("times work sat on a CPU nobody owned").hasValue(0);
        assertThat(idle.hasPendingWork()).isFalse();
        assertThat(ran).hasValue(2 * perThread);
    }

    @Test
    void twoThreadsFlushingEachOthersWorkBothFinish() throws Exception {
        CyclicBarrier queued = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int mine = t;
            threads[t] = new Thread(() -> {
                try {
                    cpus.bind(mine);
                    cpus.scheduleWorkOn(cpus.cpu(1 - mine), record("from cpu" + mine));
                    queued.await(10, TimeUnit.SECONDS);
                    cpus.flushWork();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    cpus.unbind();
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(ran).hasSize(2);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
