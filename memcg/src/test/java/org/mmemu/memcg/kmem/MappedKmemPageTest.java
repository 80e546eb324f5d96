package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmemu.core.Errno;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.vmalloc.VmStruct;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.MemoryStat;
import org.mmemu.memcg.TestEra;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * What happens when user space maps a charged kernel page, per era (reference, "Conflicts worth
 * emulating" 1 to 3): the pages come from mm-core's allocator charged by the era's kmem design,
 * and are mapped with mm-core's {@code vm_insert_page} / {@code remap_vmalloc_range} under the
 * era's insert rule. Each test ends with the machine's consistency checks (the memcg charge
 * check among them) and nothing charged.
 */
class MappedKmemPageTest {
    private static final long BASE = 0x10000000L;
    private static final int PAGE = MemMap.PAGE_SIZE;
    private static final int PAGES = 4;

    private MemcgMachine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private Vmalloc vmalloc;
    private VmStat vmStat;
    private MemCgroup job;
    private TaskStruct writer;
    private MmStruct mm;
    private Vma vma;

    /** A machine of {@code era}, a writer in /job, and a driver's vma of four pages in an mm. */
    private void boot(TestEra era) {
        m = era.boot();
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
        vmalloc = m.injector.getInstance(Vmalloc.class);
        vmStat = m.injector.getInstance(VmStat.class);
        job = m.cgroups.mkdir("/job");
        writer = m.userTask("writer", job);
        mm = spaces.mmAlloc();      // by swapper: its page tables are nobody's charge
        spaces.mmapSpecial(mm, BASE, (long) PAGES * PAGE, VM_READ | VM_SHARED);
        vma = mm.vmaLookup(BASE);
    }

    @AfterEach
    void nothingChargedAndEverythingConsistent() {
        spaces.mmput(mm);
        m.tree.exit(writer);
        if (job.isOnline()) {
            m.cgroups.rmdir(job);
        }
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(vmalloc.nrAreas()).isZero();
        m.assertNoLeaks();
    }

    private Page allocAccountedPage() {
        try (var s = m.tasks.enter(writer)) {
            return m.alloc.allocPage(GFP_KERNEL_ACCOUNT);
        }
    }

    /** An accounted vmalloc_user: {@code VM_USERMAP}, zeroed, each page charged to the writer. */
    private long vmallocUserAccounted() {
        try (var s = m.tasks.enter(writer)) {
            return vmalloc.vmallocNodeRange((long) PAGES * PAGE, Vmalloc.SHMLBA, MemMap.VMALLOC_START,
                    MemMap.VMALLOC_END, GFP_KERNEL_ACCOUNT | __GFP_ZERO, VmStruct.VM_USERMAP);
        }
    }

    /** The value memory.stat prints for {@code key}. */
    private long stat(MemCgroup memcg, String key) {
        return m.injector.getInstance(MemoryStat.class).show(memcg).lines()
                .filter(l -> l.startsWith(key + " ")).mapToLong(l -> Long.parseLong(l.substring(key.length() + 1)))
                .findFirst().orElseThrow();
    }

    private long memcgFileMapped() {
        return job.stats().local(MemcgStatItem.NR_FILE_MAPPED);
    }

    // ---- 4.8 to 5.0: mapped, and the type word corrupted -------------------------------------

    static Stream<Arguments> typedEras() {
        return Stream.of(
                Arguments.of(TestEra.V4_8, -512, -511),
                Arguments.of(TestEra.V4_18, 0xfffffdff, 0xfffffe00));
    }

    @ParameterizedTest
    @MethodSource("typedEras")
    void before51AMappedKmemPageLosesItsTypeAndTheFinalFreeStillUnchargesOnce(TestEra era, int typed,
                                                                             int mapped) {
        boot(era);
        Page page = allocAccountedPage();
        assertThat(page.mapcountWord()).isEqualTo(typed);
        assertThat(m.charged(job)).isEqualTo(1);

        assertThat(memory.vmInsertPage(vma, BASE, page)).as("insert_page refuses only PageAnon").isZero();

        assertThat(page.mapcountWord()).isEqualTo(mapped);
        assertThat(m.types.has(page, PageType.KMEMCG)).as("PageKmemcg while mapped").isFalse();
        assertThat(m.policy.isKmemPage(page)).isFalse();
        assertThat(page.memcgData()).as("the charge is still recorded").isEqualTo(job.address());
        assertThat(memcgFileMapped()).as("inc_and_test was false: not counted").isZero();

        spaces.munmap(mm, BASE, PAGE);

        assertThat(page.mapcountWord()).as("the unmap restores the type").isEqualTo(typed);
        assertThat(m.types.has(page, PageType.KMEMCG)).isTrue();
        assertThat(page.refcount()).isEqualTo(1);
        assertThat(memcgFileMapped()).as("add_negative was true: counted down anyway").isEqualTo(-1);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isEqualTo(-1);
        assertThat(stat(job, "file_mapped")).as("memory.stat clamps the drift").isZero();
        assertThat(m.log.dmesg()).contains("BUG: Bad page map in process");

        m.refs.putPage(page);

        assertThat(m.charged(job)).as("uncharged exactly once").isZero();
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).isZero();
        assertThat(page.memcgData()).isZero();
        assertThat(page.mapcountWord()).isEqualTo(-1);
        assertThat(m.badPages.reports()).isEmpty();
        assertThat(m.alloc.freePfns().get((int) page.pfn())).isTrue();
    }

    @Test
    void v418AMappedKmemPageReadsAsAFreeBuddyPageUntilUnmapped() {
        boot(TestEra.V4_18);
        Page page = allocAccountedPage();

        memory.vmInsertPage(vma, BASE, page);

        assertThat(page.mapcountWord()).isEqualTo(0xfffffe00);
        assertThat(m.types.has(page, PageType.KMEMCG)).isFalse();
        assertThat(m.types.has(page, PageType.BUDDY)).as("PageBuddy of a mapped, charged page").isTrue();
        assertThat(m.types.has(page, PageType.BALLOON)).isTrue();

        spaces.munmap(mm, BASE, PAGE);
        assertThat(m.types.has(page, PageType.BUDDY)).isFalse();
        m.alloc.freePage(page);
        assertThat(m.charged(job)).isZero();
        assertThat(m.badPages.reports()).isEmpty();
    }

    // ---- 5.1 to 5.10: refused --------------------------------------------------------------

    @Test
    void v510RefusesToMapAKmemPageAndLeavesItUntouched() {
        boot(TestEra.V5_10);
        Page page = allocAccountedPage();
        int word = page.mapcountWord();

        assertThat(memory.vmInsertPage(vma, BASE, page)).isEqualTo(Errno.EINVAL.negative());

        assertThat(page.mapcountWord()).isEqualTo(word).isEqualTo(0xfffffdff);
        assertThat(page.refcount()).isEqualTo(1);
        assertThat(page.memcgData()).isEqualTo(job.address());
        assertThat(memory.followPage(vma, BASE)).isNull();
        assertThat(memcgFileMapped()).isZero();
        m.refs.putPage(page);
        assertThat(m.charged(job)).isZero();
    }

    @Test
    void v510CannotRemapAnAccountedUsermapAreaSoMmapableBpfArraysWereNotAccounted() {
        boot(TestEra.V5_10);
        long accounted = vmallocUserAccounted();
        assertThat(m.charged(job)).isEqualTo(PAGES);

        assertThat(vmalloc.remapVmallocRange(vma, accounted, 0))
                .as("vm_insert_page refuses the first (typed) page").isEqualTo(Errno.EINVAL.negative());

        assertThat(memory.followPage(vma, BASE)).isNull();
        for (int i = 0; i < PAGES; i++) {
            Page p = vmalloc.vmallocToPage(accounted + (long) i * PAGE);
            assertThat(p.refcount()).isEqualTo(1);
            assertThat(m.types.has(p, PageType.KMEMCG)).isTrue();
        }
        long unaccounted;
        try (var s = m.tasks.enter(writer)) {
            unaccounted = vmalloc.vmallocUser((long) PAGES * PAGE);
        }
        assertThat(vmalloc.remapVmallocRange(vma, unaccounted, 0))
                .as("what BPF did instead: no __GFP_ACCOUNT (RLIMIT_MEMLOCK pays)").isZero();
        assertThat(m.charged(job)).as("only the first area is charged").isEqualTo(PAGES);

        vmalloc.vfree(accounted);
        assertThat(m.charged(job)).isZero();
        spaces.munmap(mm, BASE, (long) PAGES * PAGE);
        vmalloc.vfree(unaccounted);
    }

    // ---- 5.11 on: mapped, the charge in memcg_data -----------------------------------------

    static Stream<Arguments> mappableEras() {
        return Stream.of(
                Arguments.of(TestEra.V5_11, true), Arguments.of(TestEra.V5_11, false),
                Arguments.of(TestEra.LATEST, true), Arguments.of(TestEra.LATEST, false));
    }

    @ParameterizedTest
    @MethodSource("mappableEras")
    void from511AnAccountedAreaMapsAndItsChargeDropsWithTheLastReference(TestEra era, boolean munmapFirst) {
        boot(era);
        long area = vmallocUserAccounted();

        assertThat(vmalloc.remapVmallocRange(vma, area, 0)).isZero();

        long owner = era == TestEra.LATEST ? job.objcg().address() : job.address();
        for (int i = 0; i < PAGES; i++) {
            Page p = vmalloc.vmallocToPage(area + (long) i * PAGE);
            assertThat(memory.followPage(vma, BASE + (long) i * PAGE)).isSameAs(p);
            assertThat(MapcountWord.pageMapcount(p.mapcountWord())).as("a plain mapcount").isEqualTo(1);
            assertThat(m.types.hasAnyType(p)).isFalse();
            assertThat(p.memcgData()).isEqualTo(owner | MemcgData.MEMCG_DATA_KMEM);
        }
        assertThat(m.charged(job)).isEqualTo(PAGES);
        assertThat(stat(job, "file_mapped")).isEqualTo((long) PAGES * PAGE);

        if (munmapFirst) {
            spaces.munmap(mm, BASE, (long) PAGES * PAGE);
            assertThat(m.charged(job)).as("the area still holds the pages").isEqualTo(PAGES);
            assertThat(stat(job, "file_mapped")).isZero();
            vmalloc.vfree(area);
        } else {
            vmalloc.vfree(area);
            assertThat(m.charged(job)).as("the mapping still holds the pages").isEqualTo(PAGES);
            spaces.munmap(mm, BASE, (long) PAGES * PAGE);
        }
        assertThat(m.charged(job)).isZero();
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).isZero();
        assertThat(memcgFileMapped()).isZero();
        assertThat(m.log.dmesg()).doesNotContain("BUG");
    }

    // ---- who pays once the cgroup is gone ------------------------------------------------------

    @Test
    void a511MappedKmemPagePinsTheRemovedCgroupUntilTheLastReferenceGoes() {
        boot(TestEra.V5_11);
        long area = vmallocUserAccounted();
        vmalloc.remapVmallocRange(vma, area, 0);
        vmalloc.vfree(area);
        m.tree.exit(writer);
        m.cgroups.rmdir(job);

        assertThat(job.state()).as("each mapped page holds a css reference").isEqualTo(MemCgroup.State.DYING);
        assertThat(m.tree.root().nrDyingDescendants()).isEqualTo(1);
        assertThat(m.charged(job)).isEqualTo(PAGES);

        spaces.munmap(mm, BASE, (long) PAGES * PAGE);
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(m.tree.root().nrDyingDescendants()).isZero();
    }

    @Test
    void latestReleasesTheRemovedCgroupAtOnceAndTheParentPaysForTheMappedPages() {
        boot(TestEra.LATEST);
        MemCgroup parent = m.cgroups.mkdir("/parent");
        MemCgroup child = m.cgroups.mkdir(parent, "child");
        m.tree.setSubtreeMemory(parent, true);
        m.cgroups.attach(writer, child);
        long area = vmallocUserAccounted();
        vmalloc.remapVmallocRange(vma, area, 0);
        vmalloc.vfree(area);
        m.cgroups.attach(writer, job);
        m.cgroups.rmdir(child);

        assertThat(child.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(m.charged(parent)).as("the objcg was reparented").isEqualTo(PAGES);
        assertThat(stat(parent, "file_mapped")).isEqualTo((long) PAGES * PAGE);

        spaces.munmap(mm, BASE, (long) PAGES * PAGE);
        assertThat(m.charged(parent)).isZero();
        assertThat(stat(parent, "file_mapped")).isZero();
        m.cgroups.rmdir(parent);
    }

    @Test
    void anUnaccountedMappedPageIsNoCgroupsBusiness() {
        boot(TestEra.V4_8);
        Page page;
        try (var s = m.tasks.enter(writer)) {
            page = m.alloc.allocPage(GFP_KERNEL);
        }
        memory.vmInsertPage(vma, BASE, page);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isEqualTo(1);
        assertThat(memcgFileMapped()).isZero();
        spaces.munmap(mm, BASE, PAGE);
        m.refs.putPage(page);
        assertThat(m.log.isTainted(KernelLog.TAINT_BAD_PAGE)).isFalse();
    }
}
