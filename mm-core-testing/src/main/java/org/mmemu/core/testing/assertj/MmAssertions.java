package org.mmemu.core.testing.assertj;

import static java.util.Objects.requireNonNull;

import org.assertj.core.api.Assertions;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * AssertJ's {@link Assertions} plus mmemu's entry points, so one static import serves a test:
 *
 * <pre>
 *  import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;
 *
 *  assertThat(page).hasRefCount(1).hasNoType();
 *  assertThat(m.alloc().nrFreePages()).isEqualTo(free);   // AssertJ's own
 * </pre>
 *
 * <p>Page assertions read the page through its machine. {@link #assertThat(Page)} takes the
 * machine {@code MachineExtension} bound to the running test's thread; elsewhere (a thread the
 * test started, a machine booted by hand) name it with {@link #assertThat(TestMachine, Page)}.
 */
public final class MmAssertions extends Assertions {
    private MmAssertions() {
    }

    /**
     * Assertions on {@code page} of the running test's machine.
     *
     * @throws IllegalStateException if no machine is bound to this thread
     */
    public static PageAssert assertThat(Page page) {
        return new PageAssert(TestMachine.current(), page);
    }

    /** Assertions on {@code page} of {@code machine}. */
    public static PageAssert assertThat(TestMachine machine, Page page) {
        return new PageAssert(requireNonNull(machine, "machine"), page);
    }
}
