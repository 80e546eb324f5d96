package org.mmemu.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.interleave.Interleavings;

class InterleavedCpuThreadTest {
    private static final InterleavingPoint A = InterleavingPoint.declare("test:cputhread:a");
    private static final InterleavingPoint B = InterleavingPoint.declare("test:cputhread:b");

    private final Machine m = Machine.boot();
    private final List<String> trace = Collections.synchronizedList(new ArrayList<>());
    private final List<CpuThread> threads = new ArrayList<>();

    private CpuThread cpu(Machine machine, int id) {
        CpuThread t = CpuThread.start(machine.cpus, id);
        threads.add(t);
        return t;
    }

    @AfterEach
    void finish() {
        threads.forEach(CpuThread::finish);
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    private Runnable walk(String who) {
        return () -> {
            trace.add(who + " before a");
            A.reach();
            trace.add(who + " between");
            B.reach();
            trace.add(who + " after b");
        };
    }

    @Test
    void runUntilParksTheThreadAtThePointAndReleaseLetsItFinish() {
        CpuThread cpu1 = cpu(m, 1);

        cpu1.runUntil(A, walk("cpu1"));
        trace.add("test");
        cpu1.release();

        assertThat(trace).containsExactly("cpu1 before a", "test", "cpu1 between", "cpu1 after b");
    }

    @Test
    void resumeUntilStopsAtTheNextPointInOrder() {
        CpuThread cpu1 = cpu(m, 1);

        cpu1.runUntil(A, walk("cpu1"));
        trace.add("test at a");
        cpu1.resumeUntil(B);
        trace.add("test at b");
        cpu1.release();

        assertThat(trace).containsExactly("cpu1 before a", "test at a", "cpu1 between", "test at b",
                "cpu1 after b");
    }

    @Test
    void anotherThreadPassesThePointWhileOneIsParkedThere() {
        CpuThread cpu1 = cpu(m, 1);
        CpuThread cpu2 = cpu(m, 2);

        cpu1.runUntil(A, walk("cpu1"));
        cpu2.runAndWait(walk("cpu2"));
        walk("test").run();
        cpu1.release();

        assertThat(trace).containsExactly("cpu1 before a",
                "cpu2 before a", "cpu2 between", "cpu2 after b",
                "test before a", "test between", "test after b",
                "cpu1 between", "cpu1 after b");
    }

    @Test
    void aParallelMachinesThreadIsNotStoppedByThisArming() {
        Machine other = Machine.boot();
        CpuThread cpu1 = cpu(m, 1);
        CpuThread elsewhere = cpu(other, 1);

        cpu1.runUntil(A, walk("here"));
        elsewhere.runAndWait(walk("elsewhere"));
        cpu1.release();

        assertThat(trace).containsExactly("here before a", "elsewhere before a", "elsewhere between",
                "elsewhere after b", "here between", "here after b");
    }

    @Test
    void theStepsArmingEndsWithTheStep() {
        CpuThread cpu1 = cpu(m, 1);
        cpu1.runUntil(A, walk("cpu1"));
        cpu1.resumeUntil(B);
        cpu1.release();

        Interleavings.listen(point -> trace.add("heard " + point.name()));
        try {
            walk("test").run();
        } finally {
            Interleavings.unlisten();
        }

        assertThat(trace).containsSubsequence("test before a", "test between", "test after b")
                .noneMatch(line -> line.startsWith("heard"));
    }

    @Test
    void aStepThatEndsWithoutReachingThePointFailsNamingIt() {
        CpuThread cpu1 = cpu(m, 1);

        assertThatThrownBy(() -> cpu1.runUntil(A, () -> trace.add("no point")))
                .isInstanceOf(AssertionError.class)
                .hasMessage("cpu1-thread's step ended without reaching interleaving point test:cputhread:a");
        assertThat(trace).containsExactly("no point");
    }

    @Test
    void aStepThatNeverGetsThereTimesOutNamingTheThreadThePointAndWhereItIs() throws InterruptedException {
        CpuThread cpu1 = cpu(m, 1);
        cpu1.setPointTimeoutMillis(50);
        CountDownLatch stuck = new CountDownLatch(1);

        assertThatThrownBy(() -> cpu1.runUntil(A, () -> awaitQuietly(stuck)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cpu1-thread did not reach interleaving point test:cputhread:a"
                        + " within 50 ms; it is WAITING at ")
                .hasMessageContaining("awaitQuietly");
        stuck.countDown();
    }

    @Test
    void releaseRethrowsWhatTheStepThrew() {
        CpuThread cpu1 = cpu(m, 1);

        cpu1.runUntil(A, () -> {
            A.reach();
            throw new IllegalStateException("after the point");
        });

        assertThatThrownBy(cpu1::release).isInstanceOf(IllegalStateException.class)
                .hasMessage("after the point");
    }

    @Test
    void aParkedThreadTakesNoOtherStepUntilReleased() {
        CpuThread cpu1 = cpu(m, 1);
        cpu1.runUntil(A, walk("cpu1"));

        assertThatThrownBy(() -> cpu1.runAndWait(() -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cpu1-thread is parked at interleaving point test:cputhread:a: release it first");
        assertThatThrownBy(() -> cpu1.runUntil(B, walk("again")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cpu1-thread is parked at");
        assertThatThrownBy(cpu1::finish).isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(": release it before finish()");
        cpu1.release();
        assertThatThrownBy(cpu1::release).isInstanceOf(IllegalStateException.class)
                .hasMessage("cpu1-thread is not parked at an interleaving point");
    }

    /** Waits for {@code latch}: a step stuck until the test lets it go. */
    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
