package org.mmemu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmemu.core.alloc.PageAllocator;

class PageTableBenchmarkTest {
    @ParameterizedTest
    @ValueSource(strings = {"generic", "s390layout.Mapcount48", "s390layout.Refcount418", "s390layout.WholePage68"})
    void aPairLeavesTheMachineAsItFoundItAndFragmentsReuseTheAnchorsPage(String tables) {
        PageTableBenchmark.Tables t = new PageTableBenchmark.Tables();
        t.tables = tables;
        t.boot();
        PageAllocator pages = t.injector.getInstance(PageAllocator.class);
        long free = pages.nrFreePages() + pages.nrPcpPages();
        var table = new PageTableBenchmark().pteAllocFree(t);

        boolean fragments = !tables.equals("generic") && !tables.equals("s390layout.WholePage68");
        assertThat(table.page() == t.anchor.page()).as("shares the anchor's page").isEqualTo(fragments);
        assertThat(pages.nrFreePages() + pages.nrPcpPages()).isEqualTo(free);
        t.checkNothingLost();
    }
}
