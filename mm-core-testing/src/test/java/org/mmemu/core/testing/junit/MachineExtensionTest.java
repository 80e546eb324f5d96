package org.mmemu.core.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.page.Page;

/** Runs small test classes under the extension with the JUnit Platform testkit. */
class MachineExtensionTest {
    /** The pfn a case leaked or reported, for the outer test's assertions. */
    static volatile long pfn;

    private static EngineExecutionResults execute(Class<?> testClass) {
        System.setProperty(TestKitCase.PROPERTY, "true");
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
        } finally {
            System.clearProperty(TestKitCase.PROPERTY);
        }
    }

    private static Events run(Class<?> testClass) {
        return execute(testClass).testEvents();
    }

    private static Throwable throwable(Events events) {
        return events.failed().stream().findFirst().orElseThrow()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    private static void assertPasses(Class<?> testClass) {
        run(testClass).assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    private static Throwable failureOf(Class<?> testClass) {
        Events events = run(testClass);
        events.assertStatistics(s -> s.started(1).failed(1));
        return throwable(events);
    }

    // ---- the cases -------------------------------------------------------------------------

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class Clean {
        @Test
        void allocatesAndFrees(TestMachine m) {
            Page page = m.alloc().allocPages(GFP_KERNEL | __GFP_COMP, 2);
            m.refs().putPage(page);
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class Leaks {
        @Test
        void forgetsAPage(TestMachine m) {
            pfn = m.alloc().allocPage(GFP_KERNEL).pfn();
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class FreesAMappedPage {
        @Test
        void freesAMappedPage(TestMachine m) {
            Page page = m.alloc().allocPage(GFP_KERNEL);
            pfn = page.pfn();
            page.setMapcountWord(0);
            m.alloc().freePage(page);
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class DeclaresTheBadPages {
        @Test
        void freesTwoMappedPages(TestMachine m) {
            Page first = m.alloc().allocPage(GFP_KERNEL);
            Page second = m.alloc().allocPage(GFP_KERNEL);
            m.expectBadPage("nonzero mapcount");
            m.expectBadPage(first, "nonzero mapcount");
            // Declared in this order, a matcher taking the first expectation that fits would
            // spend the reason-only one on the first report and leave the second unmatched.
            first.setMapcountWord(0);
            m.alloc().freePage(first);
            second.setMapcountWord(0);
            m.alloc().freePage(second);
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class ExpectsABadPageThatNeverComes {
        @Test
        void freesCleanly(TestMachine m) {
            Page page = m.alloc().allocPage(GFP_KERNEL);
            m.expectBadPage(page, "nonzero mapcount");
            m.alloc().freePage(page);
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class DeclaresItsLeak {
        @Test
        void keepsACompoundPage(TestMachine m) {
            m.expectLeak(m.alloc().allocPages(GFP_KERNEL | __GFP_COMP, 3));
            m.expectLeak(m.alloc().allocPages(GFP_KERNEL, 1), 1);
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class ExpectsALeakThatNeverComes {
        @Test
        void freesWhatItSaidItWouldKeep(TestMachine m) {
            Page page = m.alloc().allocPages(GFP_KERNEL, 1);
            pfn = page.pfn();
            m.expectLeak(page, 1);
            m.alloc().freePages(page, 1);
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class FailsAndLeaks {
        @Test
        void failsFirst(TestMachine m) {
            m.alloc().allocPage(GFP_KERNEL);
            throw new AssertionError("the test's own failure");
        }
    }

    /** A check an upper module would bind. */
    static final ConsistencyCheck CHARGES = new ConsistencyCheck() {
        @Override
        public String name() {
            return "charges";
        }

        @Override
        public List<String> check() {
            return List.of("memcg /job still charged 4096 bytes");
        }
    };

    @TestKitCase
    static class UpperModuleCheckFails {
        @RegisterExtension
        static final MachineExtension MACHINE = MachineExtension.builder()
                .modules(binder -> ConsistencyChecks.consistencyChecks(binder).add(CHARGES))
                .build();

        @Test
        void doesNothing(TestMachine m) {
            assertThat(m.alloc().nrFreePages()).isPositive();
        }
    }

    @TestKitCase
    @ExtendWith(MachineExtension.class)
    static class TakesTheMachineInBeforeAll {
        @BeforeAll
        static void tooEarly(TestMachine m) {
        }

        @Test
        void neverRuns() {
        }
    }

    // ---- the tests -------------------------------------------------------------------------

    @Test
    void aCleanTestPasses() {
        assertPasses(Clean.class);
    }

    @Test
    void aLeakedPageFailsTheTestNamingItsPfnWithItsDump() {
        Throwable failure = failureOf(Leaks.class);

        assertThat(failure).isInstanceOf(AssertionError.class);
        assertThat(failure.getMessage())
                .startsWith("machine (64M, 4 CPUs) failed its checks:\n"
                        + "- page leak: 1 page(s) neither free, nor reported bad, nor owned\n"
                        + "- page leak: pfn 0x" + Long.toHexString(pfn) + " leaked:\n    page:ffffea")
                .contains("refcount:1 mapcount:0")
                .endsWith("(free every page the test allocates, or declare a deliberate leak with"
                        + " expectLeak(page))");
    }

    @Test
    void anUndeclaredBadPageFailsTheTest() {
        Throwable failure = failureOf(FreesAMappedPage.class);

        assertThat(failure.getMessage())
                .contains("- unexpected bad page: pfn 0x" + Long.toHexString(pfn)
                        + ", \"nonzero mapcount\", in process swapper/0 (declare it with"
                        + " expectBadPage(\"nonzero mapcount\") if the test provokes it)\n    page:")
                .doesNotContain("page leak");
    }

    @Test
    void declaredBadPagesPass() {
        assertPasses(DeclaresTheBadPages.class);
    }

    @Test
    void aDeclaredBadPageThatIsNotReportedFailsTheTest() {
        Throwable failure = failureOf(ExpectsABadPageThatNeverComes.class);

        assertThat(failure.getMessage()).matches("(?s).*- expected bad page \"nonzero mapcount\""
                + " at pfn 0x[0-9a-f]+ was not reported$");
    }

    @Test
    void declaredLeaksPass() {
        assertPasses(DeclaresItsLeak.class);
    }

    @Test
    void aDeclaredLeakOfAFreedBlockFailsTheTest() {
        Throwable failure = failureOf(ExpectsALeakThatNeverComes.class);

        assertThat(failure.getMessage()).endsWith(String.format(
                "- expected leak of pfns 0x%x-0x%x did not happen: pfn 0x%x is free", pfn, pfn + 1, pfn));
    }

    @Test
    void theTestsOwnFailureIsNotMasked() {
        Throwable failure = failureOf(FailsAndLeaks.class);

        assertThat(failure).hasMessage("the test's own failure").hasNoSuppressedExceptions();
    }

    @Test
    void checksBoundByTheTestsModulesRunToo() {
        Throwable failure = failureOf(UpperModuleCheckFails.class);

        assertThat(failure.getMessage()).isEqualTo("machine (64M, 4 CPUs) failed its checks:\n"
                + "- charges: memcg /job still charged 4096 bytes");
    }

    @Test
    void theMachineIsNotBoundOnceTheTestIsOver() {
        failureOf(Leaks.class);

        assertThatThrownBy(TestMachine::current).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no machine is bound to thread");
    }

    @Test
    void aMachineParameterOutsideATestIsRefused() {
        Throwable failure = throwable(execute(TakesTheMachineInBeforeAll.class).containerEvents());

        assertThat(failure).hasMessageStartingWith("a TestMachine exists only for the duration of a"
                + " test: take it in a @Test, @BeforeEach or @AfterEach method, not in");
    }
}
