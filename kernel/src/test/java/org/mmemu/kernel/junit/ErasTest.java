package org.mmemu.kernel.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.s390.S390PageTableAllocator;

/** Runs small test classes with {@link Eras} methods through the JUnit Platform testkit. */
class ErasTest {
    /** The kernels the cases were given, in the order they ran. */
    static final List<Kernel> KERNELS = new CopyOnWriteArrayList<>();

    /** Each kernel's memory, read while its test ran. */
    static final List<Long> MEMORY = new CopyOnWriteArrayList<>();

    /** Each kernel's CPUs, read while its test ran. */
    static final List<Integer> CPUS = new CopyOnWriteArrayList<>();

    /** The architecture each run was given, and whether its kernel had s390's page tables. */
    static final List<Arch> ARCHES = new CopyOnWriteArrayList<>();
    static final List<Boolean> S390_TABLES = new CopyOnWriteArrayList<>();

    private static EngineExecutionResults execute(Class<?> testClass) {
        KERNELS.clear();
        MEMORY.clear();
        CPUS.clear();
        ARCHES.clear();
        S390_TABLES.clear();
        System.setProperty(ErasCase.PROPERTY, "true");
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
        } finally {
            System.clearProperty(ErasCase.PROPERTY);
        }
    }

    private static Events run(Class<?> testClass) {
        return execute(testClass).testEvents();
    }

    private static void record(Kernel k) {
        KERNELS.add(k);
        MEMORY.add(k.get(MemoryConfig.class).bytes());
        CPUS.add(k.get(MemoryConfig.class).cpus());
    }

    private static List<String> names(Events events) {
        return events.started().stream().map(e -> e.getTestDescriptor().getDisplayName()).toList();
    }

    private static Throwable throwable(Event event) {
        return event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    // ---- the cases -------------------------------------------------------------------------

    @ErasCase
    static class Named {
        @Eras(value = {Era.LATEST, Era.V4_8}, memory = "16M")
        void records(Kernel k) {
            record(k);
        }
    }

    @ErasCase
    static class Every {
        @Eras(memory = "16M")
        void records(Kernel k) {
            record(k);
        }
    }

    @ErasCase
    static class FourCpus {
        @Eras(value = Era.LATEST, memory = "16M", cpus = 4)
        void records(Kernel k) {
            record(k);
        }
    }

    @ErasCase
    static class BothArches {
        @Eras(value = {Era.LATEST, Era.V4_8}, memory = "16M", arches = {Arch.S390, Arch.GENERIC})
        void records(Kernel k, Arch arch) {
            record(k);
            ARCHES.add(arch);
            S390_TABLES.add(k.get(PageTableAllocator.class) instanceof S390PageTableAllocator);
        }
    }

    @ErasCase
    static class From59 {
        @Eras(from = Era.V5_9)
        void records(Kernel k) {
            record(k);
        }
    }

    @ErasCase
    static class BeforeEachToo {
        private Kernel before;

        @BeforeEach
        void mkdir(Kernel k) {
            before = k;
            k.cgroupfs().mkdir("/job");
        }

        @Eras(value = {Era.V4_8, Era.V5_11}, memory = "16M")
        void spawnsAndForgets(Kernel k) {
            assertThat(k).isSameAs(before);
            record(k);
            k.spawn("/job").fork();                    // close() exits both
        }
    }

    @ErasCase
    static class LeaksIn48 {
        @Eras(value = {Era.V4_8, Era.LATEST}, memory = "16M")
        void leaks(Kernel k) {
            if (k.era() == Era.V4_8) {
                k.get(PageAllocator.class).allocPage(GFP_KERNEL);
            }
        }
    }

    @ErasCase
    static class FailsAndLeaks {
        @Eras(value = Era.LATEST, memory = "16M")
        void failsOnItsOwn(Kernel k) {
            k.get(PageAllocator.class).allocPage(GFP_KERNEL);
            throw new AssertionError("its own failure");
        }
    }

    @ErasCase
    static class ErasAndFrom {
        @Eras(value = Era.V4_8, from = Era.V5_9)
        void neverRuns(Kernel k) {
        }
    }

    // ---- the tests -------------------------------------------------------------------------

    @Test
    void eachKernelHasTheCpusTheAnnotationAsksFor() {
        run(FourCpus.class).assertStatistics(s -> s.succeeded(1));
        run(Named.class);

        assertThat(CPUS).as("the default").containsOnly(2);
        run(FourCpus.class);
        assertThat(CPUS).containsExactly(4);
    }

    @Test
    void aMethodRunsOncePerNamedEraInReleaseOrderNamedByItsEra() {
        Events events = run(Named.class);

        events.assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(names(events)).containsExactly("V4_8 (4.8)", "LATEST (latest)");
        assertThat(KERNELS).extracting(Kernel::era).containsExactly(Era.V4_8, Era.LATEST);
        assertThat(MEMORY).containsOnly(16L << 20);
    }

    @Test
    void eachEraRunsOncePerArchitectureWithThatArchitecturesPageTables() {
        Events events = run(BothArches.class);

        events.assertStatistics(s -> s.started(4).succeeded(4));
        assertThat(names(events)).containsExactly("V4_8 (4.8)", "V4_8 (4.8) on S390", "LATEST (latest)",
                "LATEST (latest) on S390");
        assertThat(KERNELS).extracting(Kernel::era).containsExactly(Era.V4_8, Era.V4_8, Era.LATEST, Era.LATEST);
        assertThat(ARCHES).containsExactly(Arch.GENERIC, Arch.S390, Arch.GENERIC, Arch.S390);
        assertThat(S390_TABLES).containsExactly(false, true, false, true);
    }

    @Test
    void withoutErasItRunsInEveryEra() {
        run(Every.class).assertStatistics(s -> s.started(Era.values().length).succeeded(Era.values().length));

        assertThat(KERNELS).extracting(Kernel::era).containsExactly(Era.values());
    }

    @Test
    void fromAReleaseItRunsInThatOneAndEveryLaterOneOnTheDefaultKernel() {
        run(From59.class).assertStatistics(s -> s.started(4).succeeded(4));

        assertThat(KERNELS).extracting(Kernel::era).containsExactly(Era.V5_9, Era.V5_10, Era.V5_11, Era.LATEST);
        assertThat(MEMORY).as("Kernel.boot(Era)'s").containsOnly(1L << 30);
    }

    @Test
    void eachRunHasAFreshKernelClosedAfterIt() {
        run(BeforeEachToo.class).assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(KERNELS).hasSize(2).doesNotHaveDuplicates();
        for (Kernel k : KERNELS) {
            assertThatThrownBy(k::cgroupfs).as("closed").isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aFailingCloseFailsThatErasRunOnly() {
        Events events = run(LeaksIn48.class);

        events.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        Event failed = events.failed().stream().findFirst().orElseThrow();
        assertThat(failed.getTestDescriptor().getDisplayName()).isEqualTo("V4_8 (4.8)");
        assertThat(throwable(failed)).isInstanceOf(ConsistencyFailure.class)
                .hasMessageStartingWith("kernel 4.8 (16M, 2 CPUs) failed its checks:")
                .hasMessageContaining("page leak: 1 page(s)");
    }

    @Test
    void aTestThatFailedKeepsItsOwnFailure() {
        Events events = run(FailsAndLeaks.class);

        events.assertStatistics(s -> s.started(1).failed(1));
        Throwable failure = throwable(events.failed().stream().findFirst().orElseThrow());
        assertThat(failure).hasMessage("its own failure").hasNoSuppressedExceptions();
    }

    @Test
    void erasAndAFirstEraTogetherAreAConfigurationError() {
        Events all = execute(ErasAndFrom.class).allEvents();

        assertThat(all.failed().stream().map(ErasTest::throwable))
                .singleElement().asString().contains("names eras and a first era: give one or the other");
    }
}
