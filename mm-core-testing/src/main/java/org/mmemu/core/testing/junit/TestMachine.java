package org.mmemu.core.testing.junit;

import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.List;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.core.check.Expectations;
import org.mmemu.core.check.PageLeakCheck;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.vmstat.VmStat;

/**
 * One machine booted for one test: its injector, its common services, and what the test
 * declares it provokes. {@link MachineExtension} boots one per test, passes it as a parameter,
 * and calls {@link #verify()} after the test:
 *
 * <pre>
 *  &#64;Test
 *  void freeingAMappedPageIsABadPage(TestMachine m) {
 *      Page page = m.alloc().allocPage(GFP_KERNEL);
 *      page.setMapcountWord(0);                       // still mapped once
 *      m.expectBadPage(page, "nonzero mapcount");
 *      m.alloc().freePage(page);                      // reported, and leaked by the kernel
 *  }
 * </pre>
 *
 * <p>While a test runs, its machine is bound to the test's thread ({@link #current()}), which is
 * how {@code MmAssertions.assertThat(page)} finds the page type encoding and the free lists.
 * Threads the test starts are not bound: there, use {@code assertThat(machine, page)}.
 */
public final class TestMachine {
    private static final ThreadLocal<TestMachine> CURRENT = new ThreadLocal<>();

    private final MemoryConfig config;
    private final Injector injector;
    private final Expectations expectations;
    private final PageAllocator alloc;
    private final MemMap memMap;
    private final DumpPage dumpPage;
    private final BadPageReporter badPages;

    private TestMachine(MemoryConfig config, Injector injector) {
        this.config = config;
        this.injector = injector;
        this.expectations = injector.getInstance(Expectations.class);
        this.alloc = injector.getInstance(PageAllocator.class);
        this.memMap = injector.getInstance(MemMap.class);
        this.dumpPage = injector.getInstance(DumpPage.class);
        this.badPages = injector.getInstance(BadPageReporter.class);
    }

    /**
     * Boots a machine: the strict injector of {@link MmCoreModule} with {@code config} and the
     * extra {@code modules} (upper subsystems, policy selections, test stand-ins).
     */
    public static TestMachine boot(MemoryConfig config, Module... modules) {
        Module[] all = new Module[modules.length + 1];
        all[0] = new MmCoreModule(config);
        System.arraycopy(modules, 0, all, 1, modules.length);
        return new TestMachine(config, Injectors.strict(all));
    }

    /**
     * The machine of the test running on this thread.
     *
     * @throws IllegalStateException if {@link MachineExtension} bound none to this thread
     */
    public static TestMachine current() {
        TestMachine m = CURRENT.get();
        if (m == null) {
            throw new IllegalStateException("no machine is bound to thread "
                    + Thread.currentThread().getName() + ": register MachineExtension on the test"
                    + " class, or name the machine (assertThat(machine, page))");
        }
        return m;
    }

    static void bind(TestMachine machine) {
        CURRENT.set(machine);
    }

    static void unbind() {
        CURRENT.remove();
    }

    // ---- the machine -----------------------------------------------------------------------

    /** Any service bound in the machine's injector. */
    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    public Injector injector() {
        return injector;
    }

    public MemoryConfig config() {
        return config;
    }

    /** The page allocator: {@code alloc_pages}, {@code __free_pages}, the free counts. */
    public PageAllocator alloc() {
        return alloc;
    }

    /** Refcounting: {@code get_page}, {@code put_page}, {@code release_pages}. */
    public PageRefs refs() {
        return get(PageRefs.class);
    }

    public MemMap memMap() {
        return memMap;
    }

    /** The page-type helpers under the machine's encoding. */
    public PageTypes types() {
        return get(PageTypes.class);
    }

    /** dmesg. */
    public KernelLog log() {
        return get(KernelLog.class);
    }

    /** The bad-page reports so far. */
    public BadPageReporter badPages() {
        return badPages;
    }

    public Tasks tasks() {
        return get(Tasks.class);
    }

    public Cpus cpus() {
        return get(Cpus.class);
    }

    public VmStat vmStat() {
        return get(VmStat.class);
    }

    /** The page frames' contents by pfn: {@code PAGE_POISON} until zeroed or written. */
    public PhysicalMemory ram() {
        return get(PhysicalMemory.class);
    }

    /** {@code memcpy} and {@code memset} on kernel addresses: the direct map and vmalloc areas. */
    public KernelMemory kernelMemory() {
        return get(KernelMemory.class);
    }

    /** {@code pfn_to_page}. */
    public Page page(long pfn) {
        return memMap.pfnToPage(pfn);
    }

    /** The dump_page text of {@code page} as it is now. */
    public String dump(Page page) {
        return dumpPage.dump(page, null);
    }

    /** Whether {@code page} is free: in a buddy block or on a per-CPU list. */
    public boolean isFree(Page page) {
        return alloc.freePfns().get((int) page.pfn());
    }

    // ---- expectations, kept by the machine's Expectations ---------------------------------

    /** The test provokes one bad-page report with this reason (as the kernel words it). */
    public void expectBadPage(String reason) {
        expectations.expectBadPage(reason);
    }

    /** The test provokes one bad-page report about {@code page} with this reason. */
    public void expectBadPage(Page page, String reason) {
        expectations.expectBadPage(page, reason);
    }

    /**
     * The test leaves {@code page} allocated on purpose (the whole compound page if it is a
     * compound head). Verification fails if the page is free at the end.
     */
    public void expectLeak(Page page) {
        expectations.expectLeak(page);
    }

    /** The test leaves the block of {@code 2^order} pages at {@code page} allocated on purpose. */
    public void expectLeak(Page page, int order) {
        expectations.expectLeak(page, order);
    }

    // ---- verification ----------------------------------------------------------------------

    /**
     * Everything wrong with the machine now: the violations of every bound consistency check
     * (the {@link PageLeakCheck} among them), bad-page reports not declared, and declarations that
     * did not come true. Exact only while no other thread uses the machine.
     */
    public List<String> problems() {
        return get(ConsistencyChecks.class).runWithExpectations();
    }

    /**
     * Fails with every problem of {@link #problems()}, if there are any. The extension calls
     * this after each test; a test may call it earlier, at a point where all should be clean.
     *
     * @throws ConsistencyFailure listing the problems, each page with its dump_page text
     */
    public void verify() {
        ConsistencyFailure.throwIfAny("machine (" + config + ")", problems());
    }

    @Override
    public String toString() {
        return "machine(" + config + ")";
    }
}
