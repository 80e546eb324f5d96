package org.mmemu.core.testing.assertj;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.core.testing.junit.TestMachine;

/** A machine booted by hand, without the extension: assertions must name it. */
class MmAssertionsTest {
    @Test
    void withoutABoundMachineAssertThatPageSaysWhatToDo() {
        TestMachine m = TestMachine.boot(MemoryConfig.of("16M"));
        Page page = m.alloc().allocPage(GFP_KERNEL);

        assertThatThrownBy(() -> assertThat(page))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(": register MachineExtension on the test class, or name the"
                        + " machine (assertThat(machine, page))");

        assertThat(m, page).hasRefCount(1).isNotFree();
        m.alloc().freePage(page);
        assertThat(m, page).isFree();
        m.verify();
    }

    @Test
    void typeAssertionsUseTheNamedMachinesEncoding() {
        TestMachine m = TestMachine.boot(MemoryConfig.of("16M"),
                binder -> PolicyBinder.policyBinder(binder, PageTypeEncoding.class).select("pagetype.Value48"));
        Page page = m.alloc().allocPage(GFP_KERNEL);
        m.types().set(page, PageType.KMEMCG);

        assertThat(m, page).hasType(PageType.KMEMCG).hasMapcountWord(-512);
        m.types().clear(page, PageType.KMEMCG);
        m.alloc().freePage(page);
        m.verify();
    }

    @Test
    void aNullMachineIsRefused() {
        assertThatThrownBy(() -> assertThat(null, (Page) null))
                .isInstanceOf(NullPointerException.class).hasMessage("machine");
    }
}
