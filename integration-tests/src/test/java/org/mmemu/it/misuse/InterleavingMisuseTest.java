package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.interleave.Interleavings;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;

/** Misuses of the named interleaving points and of the threads that park at them. */
class InterleavingMisuseTest {
    /** Where the parked steps below stop. */
    private static final InterleavingPoint PARKED = InterleavingPoint.declare("misuse:parked");

    /**
     * {@code misuse} of a CPU thread whose step is parked at a point is refused with
     * {@code message}; the step still runs to its end once released.
     */
    private static void assertRefusedWhileParked(Kernel k, String message, Consumer<CpuThread> misuse) {
        Witness w = Witness.of(k);
        CpuThread cpu1 = CpuThread.start(k.get(Cpus.class), 1);
        boolean[] ended = {false};
        cpu1.runUntil(PARKED, () -> {
            PARKED.reach();
            ended[0] = true;
        });
        w.mark();

        assertThatThrownBy(() -> misuse.accept(cpu1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(message);

        cpu1.release();
        cpu1.finish();
        assertThat(ended[0]).as("the parked step ran to its end").isTrue();
        w.assertUnchangedAndRelease();
    }

    /** finish() of a CPU thread whose step is parked. */
    @Eras(value = Era.LATEST, memory = "64M")
    void finishingAParkedThreadIsRefused(Kernel k) {
        assertRefusedWhileParked(k, "release it before finish()", CpuThread::finish);
    }

    /** A second interleaved step started on a CPU thread whose step is parked. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aSecondStepOnAParkedThreadIsRefused(Kernel k) {
        assertRefusedWhileParked(k, "release it before the next step", t -> t.runUntil(PARKED, () -> { }));
    }
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
