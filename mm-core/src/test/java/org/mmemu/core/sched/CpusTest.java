package org.mmemu.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Binding Java threads to emulated CPUs, and per-CPU variables. */
class CpusTest {
    private final Cpus cpus = new Cpus(4);

    /** Runs {@code body} on a new thread that stays alive (holding its CPU) until released. */
    private static final class Holder extends Thread {
        final CountDownLatch bound = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<Cpu> cpu = new AtomicReference<>();
        private final Runnable body;

        Holder(String name, Runnable body) {
            super(name);
            this.body = body;
        }

        @Override
        public void run() {
            body.run();
            bound.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void finish() throws InterruptedException {
            release.countDown();
            join();
        }
    }

    private Holder hold(String name, Runnable bindCpu, AtomicReference<Cpu> out) throws InterruptedException {
        Holder h = new Holder(name, () -> {
            bindCpu.run();
            out.set(cpus.current());
        });
        h.start();
        h.bound.await();
        return h;
    }

    @Test
    void twoLiveThreadsGetDifferentCpus() throws InterruptedException {
        AtomicReference<Cpu> a = new AtomicReference<>();
        AtomicReference<Cpu> b = new AtomicReference<>();
        Holder ha = hold("a", cpus::current, a);
        Holder hb = hold("b", cpus::current, b);
        assertThat(a.get()).isNotSameAs(b.get());
        assertThat(cpus.current()).as("the test thread gets a third").isNotIn(a.get(), b.get());
        ha.finish();
        hb.finish();
        cpus.unbind();
    }

    @Test
    void aThreadKeepsItsCpu() {
        Cpu first = cpus.current();
        assertThat(cpus.current()).isSameAs(first);
        assertThat(cpus.cpu(first.id())).isSameAs(first);
        assertThat(first).hasToString("cpu" + first.id());
        cpus.unbind();
    }

    @Test
    void bindingACpuOwnedByALiveThreadFails() throws InterruptedException {
        AtomicReference<Cpu> held = new AtomicReference<>();
        Holder h = hold("owner", () -> cpus.bind(2), held);
        assertThat(held.get().id()).isEqualTo(2);
        assertThatThrownBy(() -> cpus.bind(2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cpu2 is bound to thread owner");
        h.finish();
        assertThat(cpus.bind(2)).as("free once its owner died").isSameAs(held.get());
        cpus.unbind();
    }

    @Test
    void aDeadThreadsCpuIsReusedByTheNextThreadThatNeedsOne() throws InterruptedException {
        Cpus one = new Cpus(1);
        AtomicReference<Cpu> first = new AtomicReference<>();
        Thread t = new Thread(() -> first.set(one.current()));
        t.start();
        t.join();
        assertThat(one.current()).isSameAs(first.get());
        one.unbind();
    }

    @Test
    void whenEveryCpuIsHeldByALiveThreadThereIsNoneToBind() throws InterruptedException {
        Cpus one = new Cpus(1);
        AtomicReference<Cpu> held = new AtomicReference<>();
        Holder h = new Holder("hog", () -> held.set(one.current()));
        h.start();
        h.bound.await();
        assertThatThrownBy(one::current).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("all 1 emulated CPUs are bound to live threads");
        h.finish();
        assertThat(one.current()).isSameAs(held.get());
        one.unbind();
    }

    @Test
    void rebindingMovesTheThreadAndUnbindFreesTheCpu() throws InterruptedException {
        cpus.bind(1);
        cpus.bind(3);
        assertThat(cpus.current().id()).isEqualTo(3);
        AtomicReference<Cpu> other = new AtomicReference<>();
        Holder h = hold("other", () -> cpus.bind(1), other);
        assertThat(other.get().id()).as("cpu1 was given back when we moved").isEqualTo(1);
        h.finish();
        cpus.unbind();
        AtomicReference<Cpu> third = new AtomicReference<>();
        Holder h3 = hold("third", () -> cpus.bind(3), third);
        assertThat(third.get().id()).isEqualTo(3);
        h3.finish();
    }

    @Test
    void aThreadFindsItsOwnCpuThoughAnotherThreadSharesItsHintSlot() throws InterruptedException {
        Cpu mine = cpus.bind(1);
        assertThat(cpus.current()).isSameAs(mine);
        long slots = Cpus.LAST_BOUND_SLOTS;
        AtomicReference<Cpu> theirs = new AtomicReference<>();
        Holder sharer = null;
        while (sharer == null) {
            Holder h = new Holder("sharer", () -> theirs.set(cpus.current()));
            if (h.getId() % slots == Thread.currentThread().getId() % slots) {
                h.start();
                h.bound.await();
                sharer = h;
            }
        }
        assertThat(theirs.get()).isNotSameAs(mine);
        assertThat(cpus.current()).as("after the sharer took the slot").isSameAs(mine);
        sharer.finish();
        cpus.unbind();
    }

    @Test
    void aMachineNeedsACpu() {
        assertThatThrownBy(() -> new Cpus(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void perCpuVariablesHaveOneInstancePerCpu() throws InterruptedException {
        PerCpu<StringBuilder> pc = cpus.perCpu(id -> new StringBuilder("cpu" + id));
        assertThat(pc.size()).isEqualTo(4);
        cpus.bind(0);
        pc.thisCpu().append("+main");
        AtomicReference<Cpu> other = new AtomicReference<>();
        Holder h = hold("worker", () -> {
            cpus.bind(2);
            pc.thisCpu().append("+worker");
        }, other);
        h.finish();
        assertThat(pc.get(0)).hasToString("cpu0+main");
        assertThat(pc.get(cpus.cpu(2))).hasToString("cpu2+worker");
        assertThat(pc.get(1)).hasToString("cpu1");
        cpus.unbind();
    }
}
