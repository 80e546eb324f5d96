package org.mmemu.bench;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.s390.FragmentLayout;
import org.mmemu.s390.S390Module;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target 7 of the benchmark issue: a PTE-table alloc/free pair ({@code pte_alloc_one} +
 * {@code pte_free}) with s390's 2K fragments against the generic one-page tables.
 *
 * <p>One table stays allocated for the whole run, as a populated address space keeps some, so
 * in the fragment layouts every pair reuses the other half of that table's page: no page
 * allocation at all, only the fragment-bit updates and the {@code pgtable_list} moves. The
 * generic allocator and s390's whole-page layout (6.8+) take and free a page per pair.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
public class PageTableBenchmark {

    @State(Scope.Thread)
    public static class Tables {
        /** {@code generic}, or the s390 fragment layout's policy name. */
        @Param({"generic", "s390layout.Mapcount48", "s390layout.Refcount418", "s390layout.WholePage68"})
        public String tables;

        Injector injector;
        AddressSpaces spaces;
        PageTableAllocator alloc;
        MmStruct mm;
        PageTable anchor;

        @Setup(Level.Trial)
        public void boot() {
            injector = Injectors.strict(modules(tables));
            spaces = injector.getInstance(AddressSpaces.class);
            alloc = injector.getInstance(PageTableAllocator.class);
            mm = spaces.mmAlloc();
            anchor = alloc.allocTable(mm, 0);
        }

        @TearDown(Level.Trial)
        public void checkNothingLost() {
            alloc.freeTable(mm, anchor);
            spaces.mmput(mm);
            injector.getInstance(Rcu.class).rcuBarrier();
            List<String> problems = injector.getInstance(ConsistencyChecks.class).run();
            if (!problems.isEmpty()) {
                throw new IllegalStateException("page tables leaked: " + problems);
            }
        }

        private static Module[] modules(String tables) {
            Module core = new MmCoreModule(MemoryConfig.of("64M"));
            if (tables.equals("generic")) {
                return new Module[] {core};
            }
            // The 4.x layout keeps its bits where that era's value-encoded types live.
            String types = tables.equals("s390layout.Mapcount48") ? "pagetype.Value48" : "pagetype.TopByte613";
            return new Module[] {core, new S390Module(), binder -> {
                policyBinder(binder, FragmentLayout.class).select(tables);
                policyBinder(binder, PageTypeEncoding.class).select(types);
            }};
        }
    }

    @Benchmark
    public PageTable pteAllocFree(Tables t) {
        PageTable table = t.alloc.allocTable(t.mm, 0);
        t.alloc.freeTable(t.mm, table);
        return table;
    }
}
