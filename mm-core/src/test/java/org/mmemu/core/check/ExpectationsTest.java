package org.mmemu.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;

class ExpectationsTest {
    private final Machine m = Machine.boot();
    private final Expectations expectations = m.injector.getInstance(Expectations.class);
    private final ConsistencyChecks checks = m.injector.getInstance(ConsistencyChecks.class);

    private Page freeAMappedPage() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        page.setMapcountWord(0);                      // still mapped once: bad_page on free
        m.alloc.freePage(page);
        return page;
    }

    @Test
    void theMachineHasOneBoundInstance() {
        assertThat(m.injector.getInstance(Expectations.class)).isSameAs(expectations);
    }

    @Test
    void anUndeclaredBadPageIsAProblemOnlyWithExpectations() {
        Page page = freeAMappedPage();

        assertThat(checks.run()).isEmpty();
        assertThat(checks.runWithExpectations()).singleElement().asString()
                .startsWith("unexpected bad page: pfn 0x" + Long.toHexString(page.pfn()) + ", \"nonzero mapcount\"");
    }

    @Test
    void aDeclaredBadPageIsNoProblem() {
        expectations.expectBadPage("nonzero mapcount");
        Page page = freeAMappedPage();
        expectations.expectBadPage(page, "nonzero mapcount");
        freeAMappedPage();

        assertThat(checks.runWithExpectations()).isEmpty();
    }

    @Test
    void aDeclarationThatDidNotComeTrueIsAProblem() {
        Page page = m.alloc.allocPage(GFP_KERNEL);
        expectations.expectBadPage(page, "nonzero mapcount");
        m.alloc.freePage(page);

        assertThat(checks.runWithExpectations()).containsExactly(String.format(
                "expected bad page \"nonzero mapcount\" at pfn 0x%x was not reported", page.pfn()));
    }

    @Test
    void theLeakCheckCountsADeclaredLeakAsOwnedWholeCompound() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 2);
        assertThat(checks.run()).isNotEmpty();

        expectations.expectLeak(head);

        assertThat(m.leakedPages()).isZero();
        assertThat(checks.runWithExpectations()).isEmpty();
    }

    @Test
    void aDeclaredLeakThatIsFreeIsAProblem() {
        Page page = m.alloc.allocPages(GFP_KERNEL, 1);
        expectations.expectLeak(page, 1);
        m.alloc.freePages(page, 1);

        assertThat(checks.run()).isEmpty();
        assertThat(checks.runWithExpectations()).containsExactly(String.format(
                "expected leak of pfns 0x%x-0x%x did not happen: pfn 0x%x is free",
                page.pfn(), page.pfn() + 1, page.pfn()));
    }
}
