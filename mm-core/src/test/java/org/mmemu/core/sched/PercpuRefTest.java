package org.mmemu.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.core.testing.Seeded;

/** {@code percpu_ref}: per-CPU gets and puts while live, one atomic count after the kill. */
class PercpuRefTest {
    private final Cpus cpus = new Cpus(4);
    private final AtomicInteger releases = new AtomicInteger();
    private final PercpuRef ref = new PercpuRef(cpus, "css", "memcg /job", releases::incrementAndGet);

    @AfterEach
    void unbind() {
        cpus.unbind();
    }

    @Test
    void startsWithTheInitialReferenceInPercpuMode() {
        assertThat(ref.count()).isEqualTo(1);
        assertThat(ref.isPercpu()).isTrue();
        assertThat(ref.isDying()).isFalse();
    }

    @Test
    void getsAndPutsOnDifferentCpusAddUp() throws InterruptedException {
        cpus.bind(0);
        ref.get(3);
        Thread t = new Thread(() -> {
            cpus.bind(2);
            ref.put(2);
            assertThat(ref.tryGet()).isTrue();
        });
        t.start();
        t.join();
        assertThat(ref.count()).isEqualTo(1 + 3 - 2 + 1);
        assertThat(releases).hasValue(0);
        ref.put(2);
        assertThat(ref.count()).isEqualTo(1);
        assertThat(releases).as("not released before the kill, even at one").hasValue(0);
    }

    @Test
    void killWithNoOtherReferenceReleasesAtOnce() {
        ref.kill();
        assertThat(releases).hasValue(1);
        assertThat(ref.count()).isZero();
        assertThat(ref.isPercpu()).isFalse();
        assertThat(ref.isDying()).isTrue();
    }

    @Test
    void theLastPutAfterTheKillReleases() {
        Cpu cpu = cpus.bind(1);
        ref.get(cpu, 2);
        ref.kill();
        assertThat(ref.count()).isEqualTo(2);
        ref.put(cpu, 1);
        assertThat(releases).hasValue(0);
        ref.put(cpu, 1);
        assertThat(releases).hasValue(1);
    }

    @Test
    void tryGetLiveFailsOnceKilledWhileTryGetStillSucceeds() {
        Cpu cpu = cpus.bind(0);
        ref.get(cpu, 1);
        ref.kill();
        assertThat(ref.tryGetLive(cpu)).isFalse();
        assertThat(ref.tryGet(cpu)).isTrue();
        ref.put(cpu, 2);
        assertThat(ref.tryGet(cpu)).as("released: nothing to get").isFalse();
    }

    @Test
    void usingAReleasedRefIsAKernelBug() {
        ref.kill();
        assertThatThrownBy(() -> ref.get(1)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("css_get on released memcg /job");
        assertThatThrownBy(() -> ref.put(1)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("css_put underflow on memcg /job: refcount -1");
        assertThat(ref.count()).as("the failed calls changed nothing").isZero();
        assertThatThrownBy(ref::kill).isInstanceOf(KernelBug.class)
                .hasMessageContaining("called more than once");
        assertThat(releases).hasValue(1);
    }

    @Test
    void putsBeyondTheGetsShowWhenTheCountsAreFolded() {
        ref.put(1);
        assertThatThrownBy(ref::kill).isInstanceOf(KernelBug.class)
                .hasMessageContaining("<= 0 (-1) after switching to atomic");
    }

    @Test
    void aLiveThreadsCountIsFoldedAtItsNextSchedulePoint() {
        cpus.bind(0);
        CpuThread cpu3 = CpuThread.start(cpus, 3);
        cpu3.runAndWait(() -> ref.get(1));
        ref.kill();
        assertThat(releases).as("cpu3 has not folded its count").hasValue(0);
        cpu3.runAndWait(() -> ref.put(1));
        assertThat(ref.count()).as("the sum is zero already").isZero();
        assertThat(releases).as("but cpu3 has not folded yet").hasValue(0);
        cpu3.runAndWait(cpus::condResched);
        assertThat(releases).as("released by cpu3's fold").hasValue(1);
        cpu3.finish();
    }

    /**
     * Seeded stress: threads on their own CPUs take and drop references at random, each holding
     * at least one while it works, while the test thread kills the ref. The object must be
     * released exactly once, and only after every thread dropped its last reference.
     */
    @Test
    void neverReleasedWhileAThreadHoldsAReference() {
        Seeded.run(0x9e3779b9L, rnd -> {
            for (int round = 0; round < 20; round++) {
                stressOnce(rnd.split());
            }
        });
    }

    private void stressOnce(SplittableRandom rnd) {
        Cpus machine = new Cpus(4);
        AtomicInteger released = new AtomicInteger();
        AtomicInteger holders = new AtomicInteger(3);
        List<Throwable> errors = new ArrayList<>();
        PercpuRef r = new PercpuRef(machine, "obj_cgroup", "objcg", () -> {
            if (holders.get() != 0) {
                throw new AssertionError("released while " + holders.get() + " threads hold it");
            }
            released.incrementAndGet();
        });
        CyclicBarrier start = new CyclicBarrier(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            long seed = rnd.nextLong();
            int cpuId = t + 1;
            Thread th = new Thread(() -> {
                SplittableRandom my = new SplittableRandom(seed);
                Cpu cpu = machine.bind(cpuId);
                try {
                    r.get(cpu, 1);
                    start.await();
                    int held = 1;
                    for (int i = 0; i < 2000; i++) {
                        if (held > 1 && my.nextBoolean()) {
                            r.put(cpu, 1);
                            held--;
                        } else {
                            r.get(cpu, 1);
                            held++;
                        }
                        if (my.nextInt(64) == 0) {
                            machine.condResched();
                        }
                    }
                    r.put(cpu, held - 1);
                    holders.decrementAndGet();
                    r.put(cpu, 1);
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                } finally {
                    machine.unbind();
                }
            });
            threads.add(th);
            th.start();
        }
        machine.bind(0);
        try {
            start.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        r.kill();
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        machine.flushWork();
        machine.unbind();
        assertThat(errors).isEmpty();
        assertThat(released).hasValue(1);
        assertThat(r.count()).isZero();
    }
}
