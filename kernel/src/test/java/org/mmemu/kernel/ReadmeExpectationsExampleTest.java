package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.Page;

/** The README's "The facade declares too" snippet, kept compiling and passing. */
class ReadmeExpectationsExampleTest {
    @Test
    void theFacadeHonoursDeclarations() {
        try (Kernel k = Kernel.boot(Era.V5_9, KernelConfig.memory("64M"))) {
            PageAllocator alloc = k.get(PageAllocator.class);
            Page page = alloc.allocPage(GFP_KERNEL);
            page.setMapcountWord(0);                     // still mapped once
            k.expectBadPage(page, "nonzero mapcount");   // undeclared, close() would fail on it
            alloc.freePage(page);
            k.expectLeak(alloc.allocPage(GFP_KERNEL));   // kept on purpose: not a leak
            assertThat(k.checkConsistency()).isEmpty();
        }
    }
}
