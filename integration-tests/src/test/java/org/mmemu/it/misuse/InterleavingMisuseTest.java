package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.mmemu.core.interleave.Interleavings;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;

/** Misuses of the named interleaving points and of the threads that park at them. */
class InterleavingMisuseTest {
    /** Releasing a CPU thread that is not parked at any point: refused, the thread still usable. */
    @Eras(value = Era.LATEST, memory = "64M")
    void releasingAThreadThatIsNotParkedIsRefused(Kernel k) {
        Witness w = Witness.of(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        w.mark();

        assertThatThrownBy(cpu1::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not parked at an interleaving point");

        cpu1.runAndWait(() -> { });
        cpu1.finish();
        w.assertUnchangedAndRelease();
    }

    /** {@code disarmAll} without {@code armAll}: refused, no point's arming goes negative. */
    @Eras(value = Era.LATEST, memory = "64M")
    void disarmingAllWithoutArmingIsRefused(Kernel k) {
        Witness w = Witness.of(k);
        w.mark();

        assertThatThrownBy(Interleavings::disarmAll).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("disarmAll without armAll");
        w.assertUnchangedAndRelease();
    }
}
