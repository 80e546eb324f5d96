package org.mmemu.it.walk;

import static org.assertj.core.api.Assertions.assertThat;

import org.mmemu.it.fixture.Soak;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.junit.Eras;

/**
 * The model-based random walk, in every era: {@value #WALKS} walks of {@value #STEPS} actions
 * (100 times the walks under {@code -Psoak}) on one 32M kernel per era, each walk checked
 * against the model after every step and back at the boot state at its end; the kernel's own
 * close check ends the run. A failure names the seed and the shortest failing action list.
 */
class RandomWalkTest {
    static final String MEMORY = "32M";
    static final int WALKS = 1000;
    static final int STEPS = 30;

    @Eras(memory = MEMORY)
    void everyWalkKeepsTheModelsChargesAndEndsAtTheBootState(Kernel k) {
        int walks = (int) Soak.scale(WALKS);
        new WalkRunner(KernelConfig.memory(MEMORY), ActionKinds.defaults())
                .run(k, walks, STEPS, 0x5eed_0016L + k.era().ordinal());
        assertThat(WalkRunner.quiesce(k)).as("the boot state after " + walks + " walks").isNotNull();
    }
}
