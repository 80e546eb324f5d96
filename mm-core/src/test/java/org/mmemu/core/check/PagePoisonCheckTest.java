package org.mmemu.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;

class PagePoisonCheckTest {
    private final Machine m = Machine.boot();
    private final PagePoisonCheck check = m.injector.getInstance(PagePoisonCheck.class);

    @Test
    void aFreePageWrittenThroughAStaleAddressIsAViolation() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.ram.memset(page.pfn(), 0, 1, 8);
        m.alloc.freePage(page);
        assertThat(check.check()).as("freeing dropped the bytes").isEmpty();

        m.ram.memset(page.pfn(), 0, 1, 8);
        assertThat(check.check()).singleElement().asString()
                .startsWith("free page written after it was freed (use after free)")
                .contains("pfn:0x" + Long.toHexString(page.pfn()));

        m.alloc.freePage(m.alloc.allocPage(GFP_KERNEL));        // reported and kept by the allocator
        assertThat(m.log.dmesg()).contains("pagealloc: memory corruption");
        assertThat(check.check()).isEmpty();
        assertThat(m.consistencyViolations()).isEmpty();
    }
}
