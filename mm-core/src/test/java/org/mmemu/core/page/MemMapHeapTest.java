package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.check.ConsistencyChecks;

/** A machine whose mem_map cannot fit the Java heap is refused before any page is built. */
class MemMapHeapTest {
    private static final long MAX_HEAP = Runtime.getRuntime().maxMemory();

    @Test
    void aMemMapLargerThanTheHeapIsRefusedWithWhatItNeeds() {
        long pages = MAX_HEAP / MemMapHeap.bytesPerPage() + 1;
        assertThatThrownBy(() -> MemMapHeap.requireFits(pages))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(pages + " pages x " + MemMapHeap.bytesPerPage() + " bytes")
                .hasMessageContaining("Runtime.maxMemory()")
                .hasMessageContaining("-Xmx");
    }

    @Test
    void theLargestMachineIsRefusedAtOnceWhenTheHeapCannotHoldIt() {
        MemoryConfig huge = MemoryConfig.of("4T");
        assumeTrue(MemMapHeap.bytesFor(huge.nrPages()) > MAX_HEAP, "a heap of 60G or more holds it");
        long start = System.nanoTime();
        assertThatThrownBy(() -> new MmCoreModule(huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("4.0T of memory needs ");
        assertThat(System.nanoTime() - start).as("refused before building anything").isLessThan(1_000_000_000L);
    }

    @Test
    void aMachineThatFitsBootsAsBefore() {
        assertThatCode(() -> MemMapHeap.requireFits(MemoryConfig.of("64M").nrPages())).doesNotThrowAnyException();
        Machine m = Machine.boot();
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }
}
