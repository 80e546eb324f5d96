package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * The heap an emulated page costs, measured with JOL: at most the 64 bytes of the kernel's
 * {@code struct page} (DESIGN.md, "struct page is all there is").
 */
class PageFootprintTest {
    private static final int STRUCT_PAGE = 64;

    @Test
    void aPageAndItsMemMapSlotFitInAStructPage() {
        long instance = ClassLayout.parseClass(Page.class).instanceSize();
        long slot = (VM.current().sizeOf(new Page[1024]) - VM.current().sizeOf(new Page[0])) / 1024;
        System.out.printf("JOL: Page instance %d bytes + mem_map slot %d bytes = %d bytes per page%n",
                instance, slot, instance + slot);
        assertThat(instance + slot).isLessThanOrEqualTo(STRUCT_PAGE);
        assertThat(MemMapHeap.bytesPerPage()).as("the figure the boot-time heap check uses")
                .isEqualTo(instance + slot);
    }

    @Test
    void theWholeMemMapRetainsAtMost64BytesPerPage() {
        Machine m = Machine.boot();
        GraphLayout graph = GraphLayout.parseInstance(m.memMap);
        double perPage = (double) graph.totalSize() / m.memMap.nrPages();
        System.out.printf("JOL: MemMap of %d pages retains %d bytes, %.2f bytes per page%n",
                m.memMap.nrPages(), graph.totalSize(), perPage);
        assertThat(graph.totalCount() - m.memMap.nrPages())
                .as("the pages, then a fixed few: the array, the MemMap, the zone its deferred-init"
                        + " hook reaches; nothing per page")
                .isLessThan(64);
        assertThat(perPage).isLessThanOrEqualTo(STRUCT_PAGE);
        assertThat(m.leakedPages()).isZero();
    }
}
