package org.mmemu.core.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.page.PageTypes;

class MachineExtensionConfigTest {
    @RegisterExtension
    static final MachineExtension MACHINE = MachineExtension.builder()
            .memory("16M").cpus(2)
            .policy(PageTypeEncoding.class, "pagetype.Value48")
            .build();

    private static final Set<TestMachine> SEEN = Collections.newSetFromMap(new IdentityHashMap<>());

    private TestMachine before;
    private Page page;

    @BeforeEach
    void allocate(TestMachine m) {
        before = m;
        page = m.alloc().allocPage(GFP_KERNEL);
    }

    @AfterEach
    void free(TestMachine m) {
        // Runs before the extension's checks, so the page is free again by then.
        if (page != null) {
            m.alloc().freePage(page);
        }
    }

    @Test
    void bootsTheConfiguredMachine(TestMachine m) {
        assertThat(m.config().bytes()).isEqualTo(16L << 20);
        assertThat(m.memMap().nrPages()).isEqualTo(4096);
        assertThat(m.cpus().nrCpus()).isEqualTo(2);
        assertThat(m.types().encoding().policyName()).isEqualTo("pagetype.Value48");
        assertThat(m.get(PageTypes.class)).isSameAs(m.types());
        assertThat(m.injector().getInstance(PageTypes.class)).isSameAs(m.types());
    }

    @Test
    void lifecycleMethodsAndTheTestShareOneBoundMachine(TestMachine m) {
        assertThat(m).isSameAs(before).isSameAs(TestMachine.current());
        assertThat(m.isFree(page)).isFalse();
        assertThat(m.page(page.pfn())).isSameAs(page);
    }

    @RepeatedTest(3)
    void everyTestBootsAFreshMachine(TestMachine m) {
        assertThat(SEEN.add(m)).as("machine already used by an earlier test").isTrue();
        assertThat(m.alloc().nrFreePages() + m.alloc().nrPcpPages()).isEqualTo(4096 - 1);
    }

    @Test
    void verifyCanBeCalledMidTest(TestMachine m) {
        m.alloc().freePage(page);
        page = null;
        Page leaked = m.alloc().allocPage(GFP_KERNEL);
        m.expectLeak(leaked);
        m.verify();
        assertThat(m.problems()).isEmpty();

        m.alloc().freePage(leaked);
        assertThat(m.problems()).singleElement().asString()
                .startsWith("expected leak of pfn 0x" + Long.toHexString(leaked.pfn()) + " did not happen");
        // The same page again, from the head of the per-CPU list: leaked as declared.
        assertThat(m.alloc().allocPage(GFP_KERNEL)).isSameAs(leaked);
        assertThat(m.problems()).isEmpty();
    }
}
