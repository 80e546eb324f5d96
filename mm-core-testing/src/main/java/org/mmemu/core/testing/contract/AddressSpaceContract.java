package org.mmemu.core.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.mmemu.core.mm.Mman.MAP_PRIVATE;
import static org.mmemu.core.mm.Mman.MAP_SHARED;
import static org.mmemu.core.mm.Mman.PROT_EXEC;
import static org.mmemu.core.mm.Mman.PROT_NONE;
import static org.mmemu.core.mm.Mman.PROT_READ;
import static org.mmemu.core.mm.Mman.PROT_WRITE;
import static org.mmemu.core.mm.VmFlags.VM_ACCESS_FLAGS;
import static org.mmemu.core.mm.VmFlags.VM_DONTCOPY;
import static org.mmemu.core.mm.VmFlags.VM_DONTDUMP;
import static org.mmemu.core.mm.VmFlags.VM_DONTEXPAND;
import static org.mmemu.core.mm.VmFlags.VM_MAYEXEC;
import static org.mmemu.core.mm.VmFlags.VM_MAYREAD;
import static org.mmemu.core.mm.VmFlags.VM_MAYSHARE;
import static org.mmemu.core.mm.VmFlags.VM_MAYWRITE;
import static org.mmemu.core.mm.VmFlags.VM_MIXEDMAP;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.Mprotect;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.core.mm.Pte;
import org.mmemu.core.mm.Rmap;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.Seeded;
import org.mmemu.core.testing.VmallocDriver;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * What user address spaces must do whatever page-table allocator is bound: mmap and munmap of
 * ranges, anonymous faults, page tables allocated as mappings need them and freed as they go,
 * teardown, use after free, racing populates, a seeded random walk, and driver mappings (a
 * file's mmap through a {@link VmallocDriver}, splits with {@code vm_ops} open and close,
 * mprotect and its PTEs, {@code dupVma} for fork, {@code remap_vmalloc_range}'s checks), each
 * ending with every page free again ({@link MachineExtension}'s leak check).
 *
 * <p>A binding runs the suite by extending it and naming its Guice module:
 *
 * <pre>
 *  class GenericAddressSpaceTest extends AddressSpaceContract {
 *      &#64;Override
 *      protected Module pageTableBinding() {
 *          return binder -&gt; { };                  // mm-core's default, pgtable.Generic
 *      }
 *  }
 * </pre>
 *
 * <p>Expectations come from the bound {@link PageTableGeometry} and from walking the tables
 * ({@link PageTableCensus}), never from one binding's numbers: after a munmap and an RCU grace
 * period (an allocator may free tables through RCU), the pages in use are exactly those the
 * remaining tables and mapped pages occupy.
 */
public abstract class AddressSpaceContract {
    /** {@code PAGE_SIZE}. */
    protected static final long PAGE = MemMap.PAGE_SIZE;
    private static final long RW = VM_READ | VM_WRITE;

    /** The machine of each test: mm-core with the binding under test. */
    @RegisterExtension
    protected final MachineExtension machine = MachineExtension.builder()
            .modules(pageTableBinding())
            .build();

    private TestMachine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private Mprotect mprotect;
    private Rcu rcu;
    private VmStat vmStat;
    private PageTableGeometry geo;
    private long freeAtBoot;
    /** A PTE-table-aligned address well inside the first upper-level table. */
    private long base;

    /** The Guice module that binds (and selects) the page-table allocator under test. */
    protected abstract Module pageTableBinding();

    @BeforeEach
    void boot(TestMachine booted) {
        m = booted;
        spaces = m.get(AddressSpaces.class);
        memory = m.get(MemoryMapping.class);
        mprotect = m.get(Mprotect.class);
        rcu = m.get(Rcu.class);
        vmStat = m.vmStat();
        geo = memory.geometry();
        base = 4 * geo.tableSpan(0);
        freeAtBoot = free();
    }

    @AfterEach
    void everyTableFreedAfterAGracePeriod() {
        rcu.rcuBarrier();
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as("NR_PAGETABLE").isZero();
        assertThat(vmStat.read(VmStatItem.NR_ANON_MAPPED)).as("NR_ANON_MAPPED").isZero();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).as("NR_FILE_MAPPED").isZero();
        assertThat(m.log().dmesg()).doesNotContain("BUG");
    }

    // ---- mmap and munmap ------------------------------------------------------------------

    @Test
    void unplacedMappingsGoBottomUpFromTaskUnmappedBaseAndReuseHoles() {
        MmStruct mm = spaces.mmAlloc();
        long start = spaces.taskUnmappedBase();
        assertThat(start % PAGE).isZero();
        assertThat(start).isBetween(PAGE, geo.taskSize() / 2);

        long a = spaces.mmapAnonymous(mm, 0, 3 * PAGE, RW);
        long b = spaces.mmapAnonymous(mm, 0, PAGE + 1, RW);
        assertThat(a).isEqualTo(start);
        assertThat(b).as("length rounded up to pages").isEqualTo(start + 3 * PAGE);
        assertThat(mm.vmaLookup(b).end()).isEqualTo(b + 2 * PAGE);

        spaces.munmap(mm, a, 3 * PAGE);
        assertThat(spaces.mmapAnonymous(mm, 0, 2 * PAGE, RW)).isEqualTo(start);
        assertThat(spaces.mmapAnonymous(mm, 0, 2 * PAGE, RW)).as("the hole is one page too small")
                .isEqualTo(b + 2 * PAGE);
        assertThat(mm.mapCount()).isEqualTo(3);
        spaces.mmput(mm);
    }

    @Test
    void mmapRejectsWhatTheKernelRejects() {
        MmStruct mm = spaces.mmAlloc();
        long taskSize = geo.taskSize();
        spaces.mmapAnonymous(mm, 0x400000, 4 * PAGE, RW);

        assertThat(spaces.mmapAnonymous(mm, 0x400000 + PAGE, PAGE, RW)).isEqualTo(Errno.EEXIST.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x3ff000, 2 * PAGE, RW)).isEqualTo(Errno.EEXIST.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x500001, PAGE, RW)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x500000, 0, RW)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.mmapAnonymous(mm, taskSize - PAGE, 2 * PAGE, RW)).isEqualTo(Errno.ENOMEM.negative());
        assertThat(spaces.mmapAnonymous(mm, 0, -PAGE, RW)).isEqualTo(Errno.ENOMEM.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x3ff000, PAGE, RW)).as("right below fits").isEqualTo(0x3ff000);
        assertThat(spaces.mmapAnonymous(mm, taskSize - PAGE, PAGE, RW)).as("the last page fits")
                .isEqualTo(taskSize - PAGE);
        assertThat(mm.mapCount()).isEqualTo(3);
        spaces.mmput(mm);
    }

    @Test
    void munmapRejectsWhatTheKernelRejectsAndIgnoresHoles() {
        MmStruct mm = spaces.mmAlloc();
        long taskSize = geo.taskSize();

        assertThat(spaces.munmap(mm, 0x400001, PAGE)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.munmap(mm, 0x400000, 0)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.munmap(mm, taskSize - PAGE, 2 * PAGE)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.munmap(mm, 0x400000, PAGE)).as("nothing mapped there").isZero();
        spaces.mmput(mm);
    }

    @Test
    void munmapAcrossTwoVmasSplitsBoth() {
        MmStruct mm = spaces.mmAlloc();
        spaces.mmapAnonymous(mm, 0x400000, 4 * PAGE, RW);
        spaces.mmapAnonymous(mm, 0x404000, 4 * PAGE, RW);

        assertThat(spaces.munmap(mm, 0x402000, 4 * PAGE)).isZero();

        assertThat(mm.vmas()).extracting(Vma::start, Vma::end).containsExactly(
                Tuple.tuple(0x400000L, 0x402000L), Tuple.tuple(0x406000L, 0x408000L));
        spaces.mmput(mm);
    }

    @Test
    void anonymousFaultsMapOnePagePerAddressOnlyInAnonymousVmas() {
        MmStruct mm = spaces.mmAlloc();
        long addr = spaces.mmapAnonymous(mm, 0x400000, 2 * PAGE, RW);
        Vma vma = mm.vmaLookup(addr);
        long special = spaces.mmapSpecial(mm, 0x800000, PAGE, RW);

        assertThat(memory.handleAnonFault(vma, addr)).isZero();
        Page page = memory.followPage(vma, addr);
        assertThat(memory.handleAnonFault(vma, addr)).isZero();

        assertThat(memory.followPage(vma, addr)).as("the second fault finds the pte").isSameAs(page);
        assertThat(page.refcount()).isEqualTo(1);
        assertThat(m.get(Rmap.class).pageAnon(page)).isTrue();
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(1);
        assertThat(memory.handleAnonFault(vma, addr + 2 * PAGE)).isEqualTo(Errno.EFAULT.negative());
        assertThat(memory.handleAnonFault(mm.vmaLookup(special), special)).isEqualTo(Errno.EFAULT.negative());
        spaces.mmput(mm);
    }

    @Test
    void theAnonVmaLivesWhileAnyPartOfASplitVmaDoes() {
        KernelObjects kernelObjects = m.get(KernelObjects.class);
        MmStruct mm = spaces.mmAlloc();
        long addr = spaces.mmapAnonymous(mm, 0x400000, 3 * PAGE, RW);
        Vma vma = mm.vmaLookup(addr);
        memory.handleAnonFault(vma, addr);
        Page page = memory.followPage(vma, addr);
        long anonVma = page.mapping() & ~Rmap.PAGE_MAPPING_ANON;
        assertThat(kernelObjects.isLive(anonVma)).isTrue();

        spaces.munmap(mm, addr + PAGE, PAGE);
        spaces.munmap(mm, addr, PAGE);
        assertThat(kernelObjects.isLive(anonVma)).as("the upper part still uses it").isTrue();

        spaces.munmap(mm, addr + 2 * PAGE, PAGE);
        assertThat(kernelObjects.isLive(anonVma)).isFalse();
        long mmAddress = mm.address();
        spaces.mmput(mm);
        assertThat(kernelObjects.isLive(mmAddress)).as("the mm struct is freed").isFalse();
    }

    // ---- page tables come and go with the mappings ------------------------------------------

    @Test
    void mmAllocTakesOnlyThePgd() {
        MmStruct mm = spaces.mmAlloc();

        assertThat(mm.pgd().level()).isEqualTo(geo.top());
        assertThat(used()).isEqualTo(PageTableCensus.pagesPerTable(geo, geo.top()));
        assertThat(mm.pgtablesBytes()).isZero();
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as("the pgd is not constructed").isZero();

        spaces.mmput(mm);
        assertThat(used()).isZero();
    }

    @Test
    void theFirstFaultBuildsOneTablePerLevelAndMunmapFreesThem() {
        MmStruct mm = spaces.mmAlloc();
        Vma vma = anon(mm, base, PAGE);

        assertThat(memory.handleAnonFault(vma, base)).isZero();

        PageTableCensus c = censusAndCheck(mm, 0);
        for (int level = 0; level < geo.top(); level++) {
            assertThat(c.tables(level)).as("tables of level %d", level).isEqualTo(1);
        }
        assertThat(c.anonPtes()).isEqualTo(1);
        assertThat(vmStat.read(VmStatItem.NR_ANON_MAPPED)).isEqualTo(1);
        assertThat(memory.followPage(vma, base)).isNotNull();

        assertThat(spaces.munmap(mm, base, PAGE)).isZero();
        rcu.synchronizeRcu();

        c = censusAndCheck(mm, 0);
        assertThat(c.tables(0)).isZero();
        assertThat(used()).as("only the pgd is left").isEqualTo(PageTableCensus.pagesPerTable(geo, geo.top()));
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isZero();
        assertThat(mm.mapCount()).isZero();
        spaces.mmput(mm);
    }

    @Test
    void aRangeOverThreePteTablesNeedsThreeOfThemUnderOneChainOfUpperTables() {
        MmStruct mm = spaces.mmAlloc();
        long len = 2 * geo.tableSpan(0) + PAGE;
        Vma vma = anon(mm, base, len);
        for (long a = base; a < vma.end(); a += PAGE) {
            assertThat(memory.handleAnonFault(vma, a)).isZero();
        }

        PageTableCensus c = censusAndCheck(mm, 0);
        assertThat(c.tables(0)).isEqualTo(3);
        for (int level = 1; level < geo.top(); level++) {
            assertThat(c.tables(level)).as("tables of level %d", level).isEqualTo(1);
        }
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(len / PAGE);

        spaces.munmap(mm, base, len);
        rcu.synchronizeRcu();
        assertThat(used()).isEqualTo(PageTableCensus.pagesPerTable(geo, geo.top()));
        spaces.mmput(mm);
    }

    @Test
    void aPteTableSharedWithANeighbourStaysUntilBothAreGone() {
        MmStruct mm = spaces.mmAlloc();
        Vma a = anon(mm, base, PAGE);
        Vma b = anon(mm, base + PAGE, PAGE);
        memory.handleAnonFault(a, a.start());
        memory.handleAnonFault(b, b.start());
        PageTable pte = tableAt(mm, base, 0);
        assertThat(pte).isNotNull();

        spaces.munmap(mm, a.start(), PAGE);
        rcu.synchronizeRcu();

        assertThat(tableAt(mm, b.start(), 0)).as("b still needs the table").isSameAs(pte);
        PageTableCensus c = censusAndCheck(mm, 0);
        assertThat(c.tables(0)).isEqualTo(1);
        assertThat(c.anonPtes()).isEqualTo(1);

        spaces.munmap(mm, b.start(), PAGE);
        rcu.synchronizeRcu();
        assertThat(tableAt(mm, b.start(), 0)).isNull();
        assertThat(used()).isEqualTo(PageTableCensus.pagesPerTable(geo, geo.top()));
        spaces.mmput(mm);
    }

    @Test
    void aNeighbourInTheNextPteTableKeepsTheUpperTablesButNotTheFreedPteTable() {
        MmStruct mm = spaces.mmAlloc();
        Vma a = anon(mm, base, PAGE);
        Vma b = anon(mm, base + geo.tableSpan(0), PAGE);
        memory.handleAnonFault(a, a.start());
        memory.handleAnonFault(b, b.start());
        PageTable upper = tableAt(mm, base, 1);
        assertThat(censusAndCheck(mm, 0).tables(0)).isEqualTo(2);

        spaces.munmap(mm, a.start(), PAGE);
        rcu.synchronizeRcu();

        assertThat(tableAt(mm, a.start(), 0)).as("a's PTE table").isNull();
        assertThat(tableAt(mm, b.start(), 0)).as("b's PTE table").isNotNull();
        assertThat(tableAt(mm, b.start(), 1)).isSameAs(upper);
        assertThat(censusAndCheck(mm, 0).tables(0)).isEqualTo(1);
        spaces.mmput(mm);
    }

    @Test
    void aNeighbourInAnotherUpperTableKeepsOnlyWhatItUses() {
        MmStruct mm = spaces.mmAlloc();
        Vma low = anon(mm, base, PAGE);
        Vma high = anon(mm, 3 * geo.tableSpan(1), PAGE);
        memory.handleAnonFault(low, low.start());
        memory.handleAnonFault(high, high.start());
        assertThat(censusAndCheck(mm, 0).tables(1)).isEqualTo(2);

        spaces.munmap(mm, high.start(), PAGE);
        rcu.synchronizeRcu();

        assertThat(tableAt(mm, high.start(), 1)).as("high's level-1 table goes").isNull();
        assertThat(tableAt(mm, low.start(), 0)).as("low's tables stay").isNotNull();
        PageTableCensus c = censusAndCheck(mm, 0);
        for (int level = 0; level < geo.top(); level++) {
            assertThat(c.tables(level)).as("tables of level %d", level).isEqualTo(1);
        }
        spaces.mmput(mm);
    }

    @Test
    void unmappingTheMiddleOfAVmaSplitsItAndFreesOnlyTheMiddlesTables() {
        MmStruct mm = spaces.mmAlloc();
        long span = geo.tableSpan(0);
        Vma vma = anon(mm, base, 3 * span);
        for (long a = base; a < vma.end(); a += span) {
            memory.handleAnonFault(vma, a);
        }
        assertThat(censusAndCheck(mm, 0).tables(0)).isEqualTo(3);

        assertThat(spaces.munmap(mm, base + span, span)).isZero();
        rcu.synchronizeRcu();

        assertThat(mm.vmas()).extracting(Vma::start, Vma::end).containsExactly(
                Tuple.tuple(base, base + span), Tuple.tuple(base + 2 * span, base + 3 * span));
        assertThat(vma.end()).as("the original vma keeps the lower part").isEqualTo(base + span);
        assertThat(tableAt(mm, base + span, 0)).isNull();
        assertThat(censusAndCheck(mm, 0).tables(0)).isEqualTo(2);
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(2);
        spaces.mmput(mm);
    }

    @Test
    void theLastMmputFreesEveryPageTableAndPage() {
        MmStruct mm = spaces.mmAlloc();
        Vma a = anon(mm, base, 16 * PAGE);
        Vma b = anon(mm, 5 * geo.tableSpan(1), 4 * PAGE);
        for (int i = 0; i < 16; i++) {
            memory.handleAnonFault(a, a.start() + i * PAGE);
        }
        for (int i = 0; i < 4; i++) {
            memory.handleAnonFault(b, b.start() + i * PAGE);
        }
        spaces.mmget(mm);
        spaces.mmput(mm);
        rcu.synchronizeRcu();
        censusAndCheck(mm, 0);
        assertThat(used()).as("another user keeps the mm").isGreaterThan(20);

        spaces.mmput(mm);
        rcu.synchronizeRcu();

        assertThat(mm.pgd()).isNull();
        assertThat(mm.pgtablesBytes()).isZero();
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isZero();
        assertThat(used()).isZero();
    }

    // ---- fork --------------------------------------------------------------------------------

    @Test
    void dupMmCopiesTheLayoutIntoANewPgdAndNoPages() {
        MmStruct parent = spaces.mmAlloc();
        Vma a = anon(parent, base, 4 * PAGE);
        anon(parent, 5 * geo.tableSpan(1), PAGE);
        assertThat(memory.handleAnonFault(a, base)).isZero();
        long parentPages = used();

        MmStruct child = spaces.dupMm(parent);

        assertThat(child.pgd()).isNotSameAs(parent.pgd());
        assertThat(used() - parentPages).as("the child's pgd only")
                .isEqualTo(PageTableCensus.pagesPerTable(geo, geo.top()));
        assertThat(child.vmas()).extracting(Vma::start, Vma::end)
                .containsExactlyElementsOf(parent.vmas().stream().map(v -> tuple(v.start(), v.end())).toList());
        assertThat(PageTableCensus.of(child, geo, m.memMap()).tables(0)).isZero();
        Vma inChild = child.vmaLookup(base);
        assertThat(memory.followPage(inChild, base)).as("no page shared or copied").isNull();
        assertThat(memory.handleAnonFault(inChild, base)).isZero();
        assertThat(memory.followPage(inChild, base)).isNotSameAs(memory.followPage(a, base));

        spaces.mmput(parent);
        spaces.mmput(child);
        rcu.synchronizeRcu();
        assertThat(used()).isZero();
    }

    // ---- use after free ---------------------------------------------------------------------

    @Test
    void aFreedMmCannotBeMappedIntoOrPutAgain() {
        Page page = m.alloc().allocPage(GFP_KERNEL);
        MmStruct mm = spaces.mmAlloc();
        spaces.mmapSpecial(mm, base, PAGE, VM_READ | VM_SHARED);
        Vma vma = mm.vmaLookup(base);
        spaces.mmput(mm);

        assertThatThrownBy(() -> memory.vmInsertPage(vma, base, page))
                .isInstanceOf(KernelBug.class).hasMessageContaining("has no page tables");
        assertThatThrownBy(() -> memory.followPage(vma, base)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> spaces.mmapSpecial(mm, base, PAGE, VM_READ)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> spaces.mmput(mm))
                .isInstanceOf(KernelBug.class).hasMessageContaining("mm_users already 0");
        assertThatThrownBy(() -> spaces.mmget(mm)).isInstanceOf(KernelBug.class);
        assertThat(mm.mapCount()).isZero();
        assertThat(page.refcount()).as("the page was not taken").isEqualTo(1);
        m.alloc().freePage(page);
    }

    @Test
    void aBareMmServesOnlyAsATasksMmSlot() {
        MmStruct bare = new MmStruct();
        assertThat(m.tasks().create("bash", bare).mm()).isSameAs(bare);

        assertThatThrownBy(() -> spaces.mmapAnonymous(bare, 0, PAGE, VM_READ))
                .isInstanceOf(KernelBug.class).hasMessageContaining("not made by mm_alloc");
        assertThat(bare.mapCount()).isZero();
        assertThat(used()).isZero();
    }

    // ---- concurrency ------------------------------------------------------------------------

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void racingInsertsInstallEachTableOnceAndLoseNothing() throws Exception {
        int threads = 3;
        MmStruct mm = spaces.mmAlloc();
        long start = 16 * geo.tableSpan(0);
        CyclicBarrier barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 200; round++) {
                spaces.mmapSpecial(mm, start, threads * PAGE, VM_READ | VM_SHARED);
                Vma vma = mm.vmaLookup(start);
                List<Future<Page>> inserted = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long addr = start + t * PAGE;
                    inserted.add(pool.submit(() -> {
                        Page page = m.alloc().allocPage(GFP_KERNEL);
                        barrier.await();
                        assertThat(memory.vmInsertPage(vma, addr, page)).isZero();
                        return page;
                    }));
                }
                List<Page> pages = new ArrayList<>();
                for (Future<Page> f : inserted) {
                    pages.add(f.get());
                }

                PageTableCensus c = censusAndCheck(mm, pages.size());
                for (int level = 0; level < geo.top(); level++) {
                    assertThat(c.tables(level)).as("round %d, tables of level %d", round, level).isEqualTo(1);
                }
                assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isEqualTo(threads);

                spaces.munmap(mm, start, threads * PAGE);
                pages.forEach(m.alloc()::freePage);
                rcu.synchronizeRcu();
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        spaces.mmput(mm);
    }

    // ---- a seeded random walk ---------------------------------------------------------------

    /**
     * mmap, munmap, mprotect, anonymous faults and driver inserts at random over 2048 pages
     * straddling the boundary between two level-1 tables; after every step (and a grace period)
     * the tables are exactly what the mappings need and every counter matches them.
     */
    @Test
    void aRandomWalkKeepsPageTablesAndCountersExact() {
        Seeded.run(0x6d6d5f766dL, rnd -> new RandomWalk(rnd).run(3000));
    }

    private final class RandomWalk {
        private static final int SLOTS = 2048;
        private static final int[] PROT_RW_NONE = {PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE};
        private final SplittableRandom rnd;
        private final long window = geo.tableSpan(1) - (4L << 20);
        private final List<Page> driverPages = new ArrayList<>();
        private final MmStruct mm = spaces.mmAlloc();

        RandomWalk(SplittableRandom rnd) {
            this.rnd = rnd;
        }

        void run(int steps) {
            for (int step = 0; step < steps; step++) {
                step();
                rcu.synchronizeRcu();
                check("step " + step);
            }
            spaces.mmput(mm);
            driverPages.forEach(p -> assertThat(p.refcount()).isEqualTo(1));
            driverPages.forEach(m.alloc()::freePage);
        }

        private void step() {
            List<Vma> vmas = mm.vmas();
            switch (rnd.nextInt(6)) {
                case 0 -> {
                    long start = window + rnd.nextInt(SLOTS) * PAGE;
                    long len = Math.min(1 + rnd.nextInt(256), SLOTS - (start - window) / PAGE) * PAGE;
                    long flags = RW | (rnd.nextBoolean() ? VM_SHARED : 0);
                    long got = rnd.nextBoolean() ? spaces.mmapAnonymous(mm, start, len, flags)
                            : spaces.mmapSpecial(mm, start, len, flags);
                    assertThat(got).isIn(start, (long) Errno.EEXIST.negative());
                }
                case 1 -> {
                    long start = window + rnd.nextInt(SLOTS) * PAGE;
                    assertThat(spaces.munmap(mm, start, (1 + rnd.nextInt(512)) * PAGE)).isZero();
                }
                case 4 -> {
                    long start = window + rnd.nextInt(SLOTS) * PAGE;
                    int prot = PROT_RW_NONE[rnd.nextInt(PROT_RW_NONE.length)];
                    assertThat(mprotect.mprotect(mm, start, (1 + rnd.nextInt(64)) * PAGE, prot))
                            .isIn(0, Errno.ENOMEM.negative(), Errno.EACCES.negative());
                }
                case 2, 3 -> {
                    if (vmas.isEmpty()) {
                        return;
                    }
                    Vma vma = vmas.get(rnd.nextInt(vmas.size()));
                    long addr = vma.start() + rnd.nextLong((vma.end() - vma.start()) / PAGE) * PAGE;
                    if (vma.isAnonymous()) {
                        assertThat(memory.handleAnonFault(vma, addr)).isZero();
                    } else {
                        insert(vma, addr);
                    }
                }
                default -> {
                    if (!driverPages.isEmpty() && rnd.nextInt(4) == 0) {
                        Page p = driverPages.remove(rnd.nextInt(driverPages.size()));
                        if (p.refcount() == 1) {
                            m.alloc().freePage(p);
                        } else {
                            driverPages.add(p);
                        }
                    }
                }
            }
        }

        private void insert(Vma vma, long addr) {
            boolean reuse = !driverPages.isEmpty() && rnd.nextBoolean();
            Page page = reuse ? driverPages.get(rnd.nextInt(driverPages.size()))
                    : m.alloc().allocPage(GFP_KERNEL);
            int ret = memory.vmInsertPage(vma, addr, page);
            assertThat(ret).isIn(0, Errno.EBUSY.negative());
            if (!reuse) {
                if (ret == 0) {
                    driverPages.add(page);
                } else {
                    m.alloc().freePage(page);
                }
            }
        }

        private void check(String where) {
            PageTableCensus c = censusAndCheck(mm, driverPages.size());
            assertThat(mm.rss(MmStruct.MM_FILEPAGES)).as(where + ": file rss").isEqualTo(c.filePtes());
            assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).as(where).isEqualTo(c.fileMappedPages());
            for (Page p : driverPages) {
                int maps = c.fileMaps(p);
                assertThat(p.refcount()).as(where + ": refcount of " + p).isEqualTo(1 + maps);
                assertThat(p.mapcountWord()).as(where + ": _mapcount of " + p).isEqualTo(maps - 1);
            }
        }
    }

    // ---- driver mappings: files, vm_ops, splits, mprotect, fork -----------------------------

    @Test
    void mmapOfAFileMapsTheDriversPagesFromVmPgoffAndHoldsTheFileUntilExit() {
        MmStruct mm = spaces.mmAlloc();
        VmallocDriver driver = driver(4);
        File file = readWrite(driver);

        assertThat(mapShared(mm, file, 2, 1)).isEqualTo(base);

        Vma vma = mm.vmaLookup(base);
        assertThat(vma.flags()).isEqualTo(VM_READ | VM_WRITE | VM_SHARED | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
                | VM_MAYSHARE | VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);
        assertThat(vma.isAnonymous()).isFalse();
        assertThat(vma.file()).isSameAs(file);
        assertThat(vma.vmOps()).isSameAs(driver);
        assertThat(vma.privateData()).isSameAs(driver);
        assertThat(vma.pgoff()).isEqualTo(1);
        assertThat(memory.followPage(vma, base)).isSameAs(driver.page(1));
        assertThat(memory.followPage(vma, base + PAGE)).isSameAs(driver.page(2));
        assertThat(Pte.write(pteAt(mm, base))).as("shared and writable").isTrue();
        assertThat(driver.page(1).refcount()).isEqualTo(2);
        assertThat(driver.page(1).mapcountWord()).isZero();
        assertThat(file.count()).as("the vma's reference").isEqualTo(2);
        assertThat(driver.mappings()).isEqualTo(1);
        assertThat(driver.opens()).as("the vma mmap set up is not opened").isZero();

        spaces.mmput(mm);

        assertThat(driver.closes()).isEqualTo(1);
        assertThat(driver.mappings()).isZero();
        assertThat(file.count()).isEqualTo(1);
        assertThat(driver.page(1).refcount()).isEqualTo(1);
        assertThat(driver.released()).isFalse();
        file.put();
        assertThat(driver.released()).as("the last fput releases the file").isTrue();
    }

    @Test
    void theFilesModeAndTheMapTypeDecideSharingAndTheMayWriteBit() {
        MmStruct mm = spaces.mmAlloc();
        VmallocDriver driver = driver(1);
        File readOnly = driver.open(File.FMODE_READ);
        File readWrite = readWrite(driver);

        long shared = spaces.mmap(mm, readOnly, 0, PAGE, PROT_READ, MAP_SHARED, 0);
        long cow = spaces.mmap(mm, readWrite, 0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);

        Vma sharedVma = mm.vmaLookup(shared);
        assertThat(sharedVma.hasFlags(VM_MAYSHARE | VM_MAYREAD)).isTrue();
        assertThat(sharedVma.flags() & (VM_SHARED | VM_MAYWRITE | VM_WRITE))
                .as("a file opened read-only never becomes writable through the mapping").isZero();
        Vma cowVma = mm.vmaLookup(cow);
        assertThat(cowVma.hasFlags(VM_WRITE | VM_MAYWRITE)).isTrue();
        assertThat(cowVma.flags() & (VM_SHARED | VM_MAYSHARE)).isZero();
        assertThat(Pte.write(pteAt(mm, shared))).isFalse();
        assertThat(Pte.write(pteAt(mm, cow))).as("private: copy on write, read-only until a write fault")
                .isFalse();
        exitAndPut(mm, readOnly, readWrite);
    }

    @Test
    void mmapOfAFileRefusesWhatDoMmapRefusesAndKeepsNothing() {
        MmStruct mm = spaces.mmAlloc();
        VmallocDriver driver = driver(2);
        File readOnly = driver.open(File.FMODE_READ);
        File writeOnly = driver.open(File.FMODE_WRITE);
        File noMmap = new File(new FileOperations() { }, null, File.FMODE_READ | File.FMODE_WRITE);
        long usedBefore = used();

        assertThat(spaces.mmap(mm, readOnly, base, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0))
                .isEqualTo(Errno.EACCES.negative());
        assertThat(spaces.mmap(mm, writeOnly, base, PAGE, PROT_WRITE, MAP_SHARED, 0)).isEqualTo(Errno.EACCES.negative());
        assertThat(spaces.mmap(mm, readOnly, base, PAGE, PROT_READ, 0, 0)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.mmap(mm, readOnly, base, 0, PROT_READ, MAP_SHARED, 0)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.mmap(mm, readOnly, base, PAGE, PROT_READ, MAP_SHARED, -1L)).isEqualTo(Errno.EOVERFLOW.negative());
        assertThat(spaces.mmap(mm, noMmap, base, PAGE, PROT_READ, MAP_SHARED, 0)).isEqualTo(Errno.ENODEV.negative());
        assertThat(spaces.mmap(mm, readOnly, base, 2 * PAGE, PROT_READ, MAP_SHARED, 1))
                .as("remap_vmalloc_range: the area is too small from that pgoff").isEqualTo(Errno.EINVAL.negative());

        assertThat(mm.mapCount()).isZero();
        assertThat(List.of(readOnly.count(), writeOnly.count(), noMmap.count())).containsOnly(1L);
        assertThat(driver.mappings()).isZero();
        assertThat(driver.closes()).isZero();
        rcu.synchronizeRcu();
        assertThat(used()).isEqualTo(usedBefore);
        exitAndPut(mm, readOnly, writeOnly, noMmap);
    }

    @Test
    void aDriverMmapThatFailsHalfwayIsUndoneWithItsPagesAndTables() {
        MmStruct mm = spaces.mmAlloc();
        VmallocDriver driver = driver(4);
        Vmalloc vmalloc = m.get(Vmalloc.class);
        FileOperations failsAfterTwoPages = new FileOperations() {
            @Override
            public int mmap(File file, Vma vma) {
                vma.setVmOps(driver);
                assertThat(vmalloc.remapVmallocRangePartial(vma, vma.start(), driver.area(), 0, 2 * PAGE)).isZero();
                return Errno.ENOMEM.negative();
            }
        };
        File file = new File(failsAfterTwoPages, null, File.FMODE_READ | File.FMODE_WRITE);
        long usedBefore = used();

        assertThat(spaces.mmap(mm, file, base, 4 * PAGE, PROT_READ, MAP_SHARED, 0)).isEqualTo(Errno.ENOMEM.negative());

        assertThat(mm.mapCount()).isZero();
        assertThat(file.count()).isEqualTo(1);
        assertThat(driver.closes()).as("a vma mmap failed to set up is not closed").isZero();
        for (int i = 0; i < 2; i++) {
            assertThat(driver.page(i).refcount()).as("page %d", i).isEqualTo(1);
            assertThat(driver.page(i).mapcountWord()).as("page %d", i).isEqualTo(-1);
        }
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isZero();
        rcu.synchronizeRcu();
        assertThat(used()).as("the tables the driver's inserts built are freed").isEqualTo(usedBefore);
        exitAndPut(mm, file);
        driver.open(File.FMODE_READ).put();
    }

    @Test
    void munmapOfPartOfADriverVmaSplitsItOpeningWhatIsCutOffAndClosingWhatGoes() {
        VmallocDriver driver = driver(4);
        File file = readWrite(driver);
        MmStruct mm = spaces.mmAlloc();
        mapShared(mm, file, 4, 0);

        assertThat(spaces.munmap(mm, base + PAGE, 2 * PAGE)).isZero();

        assertThat(mm.vmas()).extracting(Vma::start, Vma::end, Vma::pgoff).containsExactly(
                Tuple.tuple(base, base + PAGE, 0L), Tuple.tuple(base + 3 * PAGE, base + 4 * PAGE, 3L));
        assertThat(driver.opens()).as("one split at each end").isEqualTo(2);
        assertThat(driver.closes()).as("the middle").isEqualTo(1);
        assertThat(driver.mappings()).isEqualTo(2);
        assertThat(file.count()).isEqualTo(3);
        assertThat(memory.followPage(mm.vmaLookup(base + 3 * PAGE), base + 3 * PAGE)).isSameAs(driver.page(3));
        assertThat(driver.page(1).refcount()).isEqualTo(1);
        assertThat(driver.page(2).refcount()).isEqualTo(1);
        assertThat(driver.page(3).refcount()).isEqualTo(2);
        rcu.synchronizeRcu();
        censusAndCheck(mm, 4);

        assertThat(spaces.munmap(mm, base, PAGE)).isZero();
        spaces.mmput(mm);
        assertThat(driver.closes()).isEqualTo(3);
        assertThat(driver.mappings()).isZero();
        assertThat(file.count()).isEqualTo(1);
        file.put();
    }

    @Test
    void mprotectChangesTheFlagsAndThePtesSplittingWhereItMust() {
        VmallocDriver driver = driver(2);
        File file = readWrite(driver);
        MmStruct mm = spaces.mmAlloc();
        Vma vma = mm.vmaLookup(mapShared(mm, file, 2, 0));

        assertThat(mprotect.mprotect(mm, base, 2 * PAGE, PROT_READ)).isZero();
        assertThat(vma.hasFlags(VM_WRITE)).isFalse();
        assertThat(Pte.write(pteAt(mm, base))).isFalse();
        assertThat(Pte.write(pteAt(mm, base + PAGE))).isFalse();
        assertThat(Pte.pfn(pteAt(mm, base))).isEqualTo(driver.page(0).pfn());

        assertThat(mprotect.mprotect(mm, base, 2 * PAGE, PROT_READ | PROT_WRITE)).isZero();
        assertThat(Pte.write(pteAt(mm, base))).isTrue();
        assertThat(mm.mapCount()).isEqualTo(1);

        assertThat(mprotect.mprotect(mm, base, PAGE, PROT_NONE)).isZero();
        assertThat(mm.vmas()).extracting(Vma::start, Vma::end, Vma::pgoff).containsExactly(
                Tuple.tuple(base, base + PAGE, 0L), Tuple.tuple(base + PAGE, base + 2 * PAGE, 1L));
        assertThat(mm.vmaLookup(base).flags() & VM_ACCESS_FLAGS).isZero();
        assertThat(pteAt(mm, base) & Pte._PAGE_PRESENT).as("PROT_NONE").isZero();
        assertThat(Pte.pfn(pteAt(mm, base))).as("the frame stays").isEqualTo(driver.page(0).pfn());
        assertThat(driver.opens()).isEqualTo(1);
        assertThat(file.count()).isEqualTo(3);

        assertThat(mprotect.mprotect(mm, base + PAGE, PAGE, PROT_READ | PROT_WRITE)).as("unchanged").isZero();
        assertThat(driver.opens()).as("no split for flags already set").isEqualTo(1);
        spaces.mmput(mm);
        assertThat(driver.closes()).isEqualTo(2);
        file.put();
    }

    @Test
    void mprotectOverAdjacentVmasChangesEachOfThem() {
        MmStruct mm = spaces.mmAlloc();
        VmallocDriver driver = driver(2);
        File file = readWrite(driver);
        for (int i = 0; i < 2; i++) {
            spaces.mmap(mm, file, base + i * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, i);
        }

        assertThat(mprotect.mprotect(mm, base, 2 * PAGE, PROT_READ)).isZero();

        assertThat(mm.vmas()).hasSize(2).noneMatch(v -> v.hasFlags(VM_WRITE));
        assertThat(Pte.write(pteAt(mm, base + PAGE))).isFalse();
        assertThat(driver.opens()).as("no vma was cut").isZero();
        exitAndPut(mm, file);
    }

    @Test
    void mprotectWriteProtectsAnAnonymousPageAndMakesItWritableAgain() {
        MmStruct mm = spaces.mmAlloc();
        Vma vma = anon(mm, base, 2 * PAGE);
        memory.handleAnonFault(vma, base);
        long faulted = pteAt(mm, base);
        assertThat(Pte.write(faulted)).as("the write fault").isTrue();
        assertThat(faulted & Pte._PAGE_DIRTY).isNotZero();

        assertThat(mprotect.mprotect(mm, base, 2 * PAGE, PROT_READ)).isZero();
        assertThat(Pte.write(pteAt(mm, base))).isFalse();
        assertThat(pteAt(mm, base) & Pte._PAGE_DIRTY).as("pte_modify keeps the dirty bit").isNotZero();

        assertThat(mprotect.mprotect(mm, base, 2 * PAGE, PROT_READ | PROT_WRITE)).isZero();
        assertThat(pteAt(mm, base)).as("mapped only here: writable again").isEqualTo(faulted);
        assertThat(mm.vmaLookup(base).hasFlags(VM_READ | VM_WRITE)).isTrue();
        spaces.mmput(mm);
    }

    @Test
    void mprotectRefusesWhatTheVmasMayBitsForbidAndWhatTheKernelRejects() {
        VmallocDriver driver = driver(2);
        File readOnly = driver.open(File.FMODE_READ);
        File readWrite = readWrite(driver);
        MmStruct mm = spaces.mmAlloc();
        long ro = spaces.mmap(mm, readOnly, base, PAGE, PROT_READ, MAP_SHARED, 0);
        long rw = spaces.mmap(mm, readWrite, base + 4 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 1);

        assertThat(mprotect.mprotect(mm, ro, PAGE, PROT_READ | PROT_WRITE)).isEqualTo(Errno.EACCES.negative());
        assertThat(mm.vmaLookup(ro).hasFlags(VM_WRITE)).isFalse();
        assertThat(Pte.write(pteAt(mm, ro))).isFalse();
        assertThat(mprotect.mprotect(mm, ro, PAGE, PROT_READ | PROT_EXEC)).as("VM_MAYEXEC is set").isZero();

        assertThat(mprotect.mprotect(mm, ro + 1, PAGE, PROT_READ)).isEqualTo(Errno.EINVAL.negative());
        assertThat(mprotect.mprotect(mm, ro, PAGE, 0x10)).isEqualTo(Errno.EINVAL.negative());
        assertThat(mprotect.mprotect(mm, ro, 0, PROT_NONE)).isZero();
        assertThat(mprotect.mprotect(mm, ro + PAGE, PAGE, PROT_READ)).as("nothing mapped").isEqualTo(Errno.ENOMEM.negative());
        assertThat(mprotect.mprotect(mm, rw, 2 * PAGE, PROT_READ)).as("a hole after the vma")
                .isEqualTo(Errno.ENOMEM.negative());
        assertThat(mm.vmaLookup(rw).hasFlags(VM_WRITE)).as("the vma before the hole was changed").isFalse();
        exitAndPut(mm, readOnly, readWrite);
    }

    @Test
    void dupVmaMapsTheDriversPagesAgainInTheChildAndOpensTheCopy() {
        MmStruct parent = spaces.mmAlloc();
        MmStruct child = spaces.mmAlloc();
        TaskStruct childTask = m.tasks().create("child", child);
        VmallocDriver driver = driver(2);
        File file = readWrite(driver);
        Vma old = parent.vmaLookup(mapShared(parent, file, 2, 0));

        assertThat(spaces.dupVma(old, child, childTask)).isZero();

        Vma copy = child.vmaLookup(base);
        assertThat(copy).isNotSameAs(old);
        assertThat(copy.mm()).isSameAs(child);
        assertThat(copy).extracting(Vma::start, Vma::end, Vma::flags, Vma::pgoff, Vma::file, Vma::vmOps)
                .containsExactly(old.start(), old.end(), old.flags(), 0L, file, driver);
        assertThat(file.count()).isEqualTo(3);
        assertThat(driver.opens()).isEqualTo(1);
        assertThat(driver.mappings()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertThat(memory.followPage(copy, base + i * PAGE)).isSameAs(driver.page(i));
            assertThat(driver.page(i).refcount()).as("vmalloc's and two mappings'").isEqualTo(3);
            assertThat(driver.page(i).mapcountWord()).as("mapped twice").isEqualTo(1);
        }
        assertThat(pteAt(child, base)).isEqualTo(pteAt(parent, base));
        assertThat(child.rss(MmStruct.MM_FILEPAGES)).isEqualTo(2);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).as("each page counts once").isEqualTo(2);
        PageTableCensus parentTables = PageTableCensus.of(parent, geo, m.memMap());
        PageTableCensus childTables = PageTableCensus.of(child, geo, m.memMap());
        assertThat(child.pgtablesBytes()).isEqualTo(childTables.pgtablesBytes()).isEqualTo(parent.pgtablesBytes());
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(parentTables.pageBlocks() + childTables.pageBlocks());
        assertThat(used()).isEqualTo(parentTables.pages() + childTables.pages() + 2);

        spaces.mmput(parent);
        assertThat(driver.page(0).refcount()).as("the child still maps it").isEqualTo(2);
        spaces.mmput(child);
        assertThat(driver.closes()).isEqualTo(2);
        assertThat(file.count()).isEqualTo(1);
        file.put();
    }

    @Test
    void dupVmaSkipsVmDontcopyAndCopiesSpecialMappingsWithTheirPages() {
        MmStruct parent = spaces.mmAlloc();
        MmStruct child = spaces.mmAlloc();
        TaskStruct childTask = m.tasks().create("child", child);
        Page page = m.alloc().allocPage(GFP_KERNEL);
        spaces.mmapSpecial(parent, base, PAGE, VM_READ | VM_SHARED);
        spaces.mmapSpecial(parent, base + PAGE, PAGE, VM_READ | VM_SHARED | VM_DONTCOPY);
        memory.vmInsertPage(parent.vmaLookup(base), base, page);
        memory.vmInsertPage(parent.vmaLookup(base + PAGE), base + PAGE, page);

        for (Vma vma : parent.vmas()) {
            assertThat(spaces.dupVma(vma, child, childTask)).isZero();
        }

        assertThat(child.vmas()).extracting(Vma::start).containsExactly(base);
        assertThat(memory.followPage(child.vmaLookup(base), base)).isSameAs(page);
        assertThat(page.refcount()).isEqualTo(4);
        assertThat(page.mapcountWord()).isEqualTo(2);
        assertThatThrownBy(() -> spaces.dupVma(anon(parent, base + 8 * PAGE, PAGE), child, childTask))
                .isInstanceOf(IllegalArgumentException.class);
        spaces.mmput(parent);
        spaces.mmput(child);
        assertThat(page.refcount()).isEqualTo(1);
        m.alloc().freePage(page);
    }

    @Test
    void remapVmallocRangeNeedsAUsermapAreaLargeEnoughFromThePgoff() {
        Vmalloc vmalloc = m.get(Vmalloc.class);
        MmStruct mm = spaces.mmAlloc();
        spaces.mmapSpecial(mm, base, 2 * PAGE, VM_READ | VM_SHARED);
        Vma vma = mm.vmaLookup(base);
        long plain = vmalloc.vmalloc(2 * PAGE);
        long user = vmalloc.vmallocUser(3 * PAGE);

        assertThat(vmalloc.remapVmallocRange(vma, plain, 0)).as("not VM_USERMAP").isEqualTo(Errno.EINVAL.negative());
        assertThat(vmalloc.remapVmallocRange(vma, user, 2)).as("too small from page 2").isEqualTo(Errno.EINVAL.negative());
        assertThat(memory.followPage(vma, base)).isNull();

        assertThat(vmalloc.remapVmallocRange(vma, user, 1)).isZero();
        assertThat(memory.followPage(vma, base)).isSameAs(vmalloc.vmallocToPage(user + PAGE));
        assertThat(memory.followPage(vma, base + PAGE)).isSameAs(vmalloc.vmallocToPage(user + 2 * PAGE));
        spaces.mmput(mm);
        vmalloc.vfree(plain);
        vmalloc.vfree(user);
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * Walks {@code mm}'s tables and checks every count against them: pages in use (the tables'
     * pages, the anonymous pages, and {@code otherPages} the test holds), {@code NR_PAGETABLE},
     * {@code pgtables_bytes}, anonymous rss and {@code NR_ANON_MAPPED}. Call it after a grace
     * period, when no table waits for RCU.
     */
    private PageTableCensus censusAndCheck(MmStruct mm, int otherPages) {
        PageTableCensus c = PageTableCensus.of(mm, geo, m.memMap());
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as("NR_PAGETABLE").isEqualTo(c.pageBlocks());
        assertThat(mm.pgtablesBytes()).as("pgtables_bytes").isEqualTo(c.pgtablesBytes());
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).as("anon rss").isEqualTo(c.anonPtes());
        assertThat(vmStat.read(VmStatItem.NR_ANON_MAPPED)).as("NR_ANON_MAPPED").isEqualTo(c.anonPtes());
        assertThat(used()).as("pages in use").isEqualTo(c.pages() + c.anonPtes() + otherPages);
        return c;
    }

    /** The table of {@code level} on the way to {@code addr}, or null where the walk stops. */
    private PageTable tableAt(MmStruct mm, long addr, int level) {
        PageTable t = mm.pgd();
        for (int l = geo.top(); l > level && t != null; l--) {
            t = t.table(geo.index(addr, l));
        }
        return t;
    }

    /** The PTE mapping {@code addr} (its PTE table must exist). */
    private long pteAt(MmStruct mm, long addr) {
        return tableAt(mm, addr, 0).pte(geo.index(addr, 0));
    }

    /** The last {@code mmput} of {@code mm}, then the last {@code fput} of each file. */
    private void exitAndPut(MmStruct mm, File... files) {
        spaces.mmput(mm);
        for (File f : files) {
            f.put();
        }
    }

    /** A {@link VmallocDriver} with {@code pages} pages. */
    private VmallocDriver driver(int pages) {
        return new VmallocDriver(m.get(Vmalloc.class), pages);
    }

    /** A shared, readable and writable mapping of {@code pages} pages of {@code file} at {@code base}. */
    private long mapShared(MmStruct mm, File file, int pages, long pgoff) {
        return spaces.mmap(mm, file, base, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, pgoff);
    }

    /** A file of {@code driver} open for reading and writing. */
    private static File readWrite(VmallocDriver driver) {
        return driver.open(File.FMODE_READ | File.FMODE_WRITE);
    }

    private Vma anon(MmStruct mm, long addr, long len) {
        assertThat(spaces.mmapAnonymous(mm, addr, len, RW)).isEqualTo(addr);
        return mm.vmaLookup(addr);
    }

    private long free() {
        return m.alloc().freePfns().cardinality();
    }

    private long used() {
        return freeAtBoot - free();
    }
}
