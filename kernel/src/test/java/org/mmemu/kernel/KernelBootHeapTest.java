package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.MemMapHeap;

/** {@code Kernel.boot} of a machine the heap cannot hold fails at once, not with the JVM. */
class KernelBootHeapTest {
    @Test
    void bootingMoreMemoryThanTheHeapHoldsIsRefusedWithTheHeapItNeeds() {
        MemoryConfig oneTera = MemoryConfig.of("1T");
        assumeTrue(MemMapHeap.bytesFor(oneTera.nrPages()) > Runtime.getRuntime().maxMemory(),
                "this JVM's heap would hold 1T's mem_map");
        assertThatThrownBy(() -> Kernel.boot(Era.LATEST, KernelConfig.memory("1T")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(oneTera.nrPages() + " pages x " + MemMapHeap.bytesPerPage() + " bytes")
                .hasMessageContaining("Runtime.maxMemory()");
    }
}
