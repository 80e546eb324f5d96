package org.mmemu.core.rcu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.sched.Cpus;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RcuTest {
    private Machine m;
    private Rcu rcu;
    private Cpus cpus;
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void boot() {
        m = Machine.boot();
        rcu = m.injector.getInstance(Rcu.class);
        cpus = m.injector.getInstance(Cpus.class);
    }

    @AfterEach
    void consistent() {
        assertThat(rcu.pendingCallbacks()).as("callbacks left queued").isZero();
        for (int i = 0; i < cpus.nrCpus(); i++) {
            assertThat(cpus.cpu(i).rcuReadDepth()).as("read lock depth of cpu%d", i).isZero();
        }
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void callbacksRunOnlyInSynchronizeRcuAndInQueueOrder() {
        rcu.callRcu(() -> ran.add("a"));
        rcu.callRcu(() -> ran.add("b"));
        rcu.callRcu(() -> ran.add("c"));

        assertThat(ran).isEmpty();
        assertThat(rcu.pendingCallbacks()).isEqualTo(3);

        rcu.synchronizeRcu();

        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(rcu.completedGracePeriods()).isEqualTo(1);
    }

    @Test
    void callbackQueuedByACallbackWaitsForTheNextGracePeriod() {
        rcu.callRcu(() -> {
            ran.add("first");
            rcu.callRcu(() -> ran.add("second"));
        });

        rcu.synchronizeRcu();
        assertThat(ran).containsExactly("first");
        assertThat(rcu.pendingCallbacks()).isEqualTo(1);

        rcu.synchronizeRcu();
        assertThat(ran).containsExactly("first", "second");
    }

    @Test
    void readerOnAnotherCpuDelaysTheGracePeriodUntilItUnlocks() throws Exception {
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            cpus.bind(1);
            rcu.rcuReadLock();
            locked.countDown();
            await(release);
            rcu.rcuReadUnlock();
        }, "reader");
        reader.start();
        locked.await();
        rcu.callRcu(() -> ran.add("freed"));

        Thread updater = new Thread(rcu::synchronizeRcu, "updater");
        updater.start();
        awaitWaiting(updater);

        assertThat(ran).as("callback ran while a reader was inside its section").isEmpty();
        release.countDown();
        updater.join();
        reader.join();
        assertThat(ran).containsExactly("freed");
    }

    @Test
    void gracePeriodIgnoresReadersThatStartLaterOnAQuiescentCpu() throws Exception {
        // cpu1 is outside any section when the grace period starts, so it is already quiescent.
        CountDownLatch bound = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread idle = new Thread(() -> {
            cpus.bind(1);
            bound.countDown();
            await(done);
        }, "idle");
        idle.start();
        bound.await();
        rcu.callRcu(() -> ran.add("freed"));

        rcu.synchronizeRcu();

        assertThat(ran).containsExactly("freed");
        done.countDown();
        idle.join();
    }

    @Test
    void nestedReadLocksEndAtTheOutermostUnlock() throws Exception {
        rcu.rcuReadLock();
        rcu.rcuReadLock();
        assertThat(cpus.current().rcuReadDepth()).isEqualTo(2);
        rcu.rcuReadUnlock();
        assertThat(rcu.rcuReadLockHeld()).isTrue();
        rcu.rcuReadUnlock();
        assertThat(rcu.rcuReadLockHeld()).isFalse();

        CountDownLatch inner = new CountDownLatch(1);
        CountDownLatch leaveInner = new CountDownLatch(1);
        CountDownLatch leftInner = new CountDownLatch(1);
        CountDownLatch leaveOuter = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            cpus.bind(2);
            rcu.rcuReadLock();
            rcu.rcuReadLock();
            inner.countDown();
            await(leaveInner);
            rcu.rcuReadUnlock();
            leftInner.countDown();
            await(leaveOuter);
            rcu.rcuReadUnlock();
        }, "nested-reader");
        reader.start();
        inner.await();
        rcu.callRcu(() -> ran.add("freed"));
        Thread updater = new Thread(rcu::synchronizeRcu, "updater");
        updater.start();
        awaitWaiting(updater);

        leaveInner.countDown();
        leftInner.await();
        awaitWaiting(updater);
        assertThat(ran).as("an inner unlock is not a quiescent state").isEmpty();

        leaveOuter.countDown();
        updater.join();
        reader.join();
        assertThat(ran).containsExactly("freed");
    }

    @Test
    void unbalancedUnlockIsAKernelBugAndLeavesTheDepthAlone() {
        assertThatThrownBy(rcu::rcuReadUnlock)
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("rcu_read_unlock() on cpu0 without a matching rcu_read_lock()");
        assertThat(cpus.current().rcuReadDepth()).isZero();
    }

    @Test
    void synchronizeRcuInsideAReadSectionIsAKernelBug() {
        rcu.callRcu(() -> ran.add("freed"));
        rcu.rcuReadLock();
        try {
            assertThatThrownBy(rcu::synchronizeRcu)
                    .isInstanceOf(KernelBug.class)
                    .hasMessageContaining("Illegal synchronize_rcu() in RCU read-side critical section");
            assertThat(ran).isEmpty();
        } finally {
            rcu.rcuReadUnlock();
        }
        rcu.rcuBarrier();
        assertThat(ran).containsExactly("freed");
    }

    @Test
    void rcuBarrierWaitsForCallbacksAnotherThreadIsRunning() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        rcu.callRcu(() -> {
            running.countDown();
            await(finish);
            ran.add("slow");
        });
        Thread other = new Thread(rcu::synchronizeRcu, "other");
        other.start();
        running.await();

        Thread barrier = new Thread(rcu::rcuBarrier, "barrier");
        barrier.start();
        awaitWaiting(barrier);
        assertThat(ran).isEmpty();

        finish.countDown();
        barrier.join();
        assertThat(ran).containsExactly("slow");
        other.join();
    }

    @Test
    void aFailingCallbackDoesNotLoseTheOthers() {
        rcu.callRcu(() -> ran.add("before"));
        rcu.callRcu(() -> {
            throw new KernelBug("boom");
        });
        rcu.callRcu(() -> ran.add("after"));

        assertThatThrownBy(rcu::synchronizeRcu).isInstanceOf(KernelBug.class).hasMessage("boom");
        assertThat(ran).containsExactly("before", "after");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code t} is parked (waiting for a grace period or a barrier). */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING) {
            assertThat(t.isAlive()).as(t.getName() + " finished instead of waiting").isTrue();
            Thread.sleep(1);
        }
    }
}
