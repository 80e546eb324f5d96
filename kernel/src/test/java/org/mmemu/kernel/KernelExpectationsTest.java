package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.Page;

/** The facade's check honours what its user declared, as the test kit's machine does. */
class KernelExpectationsTest {
    private final Kernel k = Kernel.boot(Era.LATEST, KernelConfig.memory("16M"));
    private final PageAllocator alloc = k.get(PageAllocator.class);

    private Page freeAMappedPage(Kernel kernel) {
        Page page = kernel.get(PageAllocator.class).allocPage(GFP_KERNEL);
        page.setMapcountWord(0);                       // still mapped once: bad_page on free
        kernel.get(PageAllocator.class).freePage(page);
        return page;
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void anUndeclaredBadPageFailsTheCheckInEveryEra(Era era) {
        Kernel kernel = Kernel.boot(era, KernelConfig.memory("16M"));
        freeAMappedPage(kernel);

        assertThat(kernel.checkConsistency()).singleElement().asString()
                .startsWith("unexpected bad page: ").contains("\"nonzero mapcount\"");
    }

    @Test
    void declaredBadPagesPass() {
        k.expectBadPage("nonzero mapcount");
        Page page = freeAMappedPage(k);
        k.expectBadPage(page, "nonzero mapcount");
        freeAMappedPage(k);

        assertThat(k.checkConsistency()).isEmpty();
    }

    @Test
    void aDeclaredLeakIsNotALeakAndOneThatIsFreedIsReported() {
        k.expectLeak(alloc.allocPages(GFP_KERNEL | __GFP_COMP, 2));
        Page freed = alloc.allocPage(GFP_KERNEL);
        k.expectLeak(freed);
        alloc.freePage(freed);

        assertThat(k.checkConsistency()).containsExactly(String.format(
                "expected leak of pfn 0x%x did not happen: pfn 0x%x is free", freed.pfn(), freed.pfn()));
    }
}
