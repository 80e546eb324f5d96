package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.testing.CpuThread;

/**
 * {@code drain_all_pages} as per-CPU work: a CPU's per-CPU list is drained by whoever may touch
 * it, at once for the caller's CPU and for a CPU no live thread owns, at the owner's next
 * schedule point for a live one.
 */
class DrainAllPagesTest {

    /** An order-0 pair on the calling thread's CPU: its list is refilled with one batch. */
    private static void allocFree(Machine m) {
        m.alloc.freePage(m.alloc.allocPage(GFP_KERNEL));
    }

    @Test
    void aLiveCpuDrainsItsOwnListAtItsNextSchedulePoint() {
        Machine m = Machine.boot();
        int batch = m.alloc.zone().batch();
        m.cpus.bind(0);
        CpuThread cpu1 = CpuThread.start(m.cpus, 1);
        cpu1.runAndWait(() -> allocFree(m));
        allocFree(m);
        assertThat(m.alloc.nrPcpPages()).isEqualTo(2L * batch);

        m.alloc.drainAllPages();
        assertThat(m.alloc.nrPcpPages()).as("cpu0's drained, cpu1's left to its thread").isEqualTo(batch);
        cpu1.runAndWait(m.cpus::condResched);
        assertThat(m.alloc.nrPcpPages()).isZero();
        assertThat(m.alloc.nrFreePages()).isEqualTo(m.memMap.nrPages());

        cpu1.finish();
        m.cpus.unbind();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aCpuWhoseThreadIsGoneIsDrainedAtOnce() throws Exception {
        Machine m = Machine.boot();
        Thread gone = new Thread(() -> {
            m.cpus.bind(1);
            allocFree(m);
        });
        gone.start();
        gone.join();
        assertThat(m.alloc.nrPcpPages()).isEqualTo(m.alloc.zone().batch());

        m.alloc.drainAllPages();
        assertThat(m.alloc.nrPcpPages()).isZero();
        assertThat(m.alloc.nrFreePages()).isEqualTo(m.memMap.nrPages());
        assertThat(m.leakedPages()).isZero();
    }
}
