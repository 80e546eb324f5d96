package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mm.VmFlags.VM_MIXEDMAP;
import static org.mmemu.core.mm.VmFlags.VM_PFNMAP;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.TestModules;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/** {@code vm_insert_page}: what it maps, what it counts, and each of its errors. */
class VmInsertPageTest {
    private static final long PAGE = MemMap.PAGE_SIZE;
    private static final long BASE = 0x10000000L;

    private Machine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private VmStat vmStat;
    private MmStruct mm;

    private void boot(MemoryConfig config, com.google.inject.Module... modules) {
        m = Machine.boot(config, modules);
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
        vmStat = m.injector.getInstance(VmStat.class);
        mm = spaces.mmAlloc();
    }

    private void boot(com.google.inject.Module... modules) {
        boot(MemoryConfig.of("64M"), modules);
    }

    @AfterEach
    void nothingLeaked() {
        spaces.mmput(mm);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(m.log.dmesg()).doesNotContain("BUG");
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void mapsThePageTakesAReferenceAndCountsItAsAFileMapping() {
        boot();
        Vma vma = special(4);
        Page page = m.alloc.allocPage(GFP_KERNEL);

        assertThat(memory.vmInsertPage(vma, BASE + PAGE, page)).isZero();

        assertThat(page.refcount()).isEqualTo(2);
        assertThat(page.mapcountWord()).as("page_mapcount 1").isZero();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isEqualTo(1);
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isEqualTo(1);
        assertThat(vma.hasFlags(VM_MIXEDMAP)).isTrue();
        assertThat(memory.followPage(vma, BASE + PAGE)).isSameAs(page);
        assertThat(memory.followPage(vma, BASE)).isNull();

        assertThat(spaces.munmap(mm, BASE, 4 * PAGE)).isZero();

        assertThat(page.refcount()).isEqualTo(1);
        assertThat(page.mapcountWord()).isEqualTo(-1);
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isZero();
        m.alloc.freePage(page);
    }

    @Test
    void onlyTheFirstMappingOfAPageCountsInNrFileMapped() {
        boot();
        Vma vma = special(4);
        Page page = m.alloc.allocPage(GFP_KERNEL);

        memory.vmInsertPage(vma, BASE, page);
        memory.vmInsertPage(vma, BASE + 2 * PAGE, page);

        assertThat(page.mapcountWord()).as("page_mapcount 2").isEqualTo(1);
        assertThat(page.refcount()).isEqualTo(3);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isEqualTo(1);
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isEqualTo(2);

        spaces.munmap(mm, BASE, PAGE);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).as("still mapped once").isEqualTo(1);
        spaces.munmap(mm, BASE + 2 * PAGE, PAGE);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
        m.alloc.freePage(page);
    }

    @Test
    void outsideTheVmaIsEfaultBeforeAnythingIsTouched() {
        boot();
        Vma vma = special(2);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        long before = used();

        assertThat(memory.vmInsertPage(vma, BASE - PAGE, page)).isEqualTo(Errno.EFAULT.negative());
        assertThat(memory.vmInsertPage(vma, vma.end(), page)).isEqualTo(Errno.EFAULT.negative());

        assertThat(vma.hasFlags(VM_MIXEDMAP)).isFalse();
        assertThat(page.refcount()).isEqualTo(1);
        assertThat(used()).as("no page table was allocated").isEqualTo(before);
        m.alloc.freePage(page);
    }

    @Test
    void aPageWithoutReferencesIsEinvalAndLeavesTheVmaAlone() {
        boot();
        Vma vma = special(2);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(page);

        assertThat(memory.vmInsertPage(vma, BASE, page)).isEqualTo(Errno.EINVAL.negative());

        assertThat(page.refcount()).isZero();
        assertThat(vma.hasFlags(VM_MIXEDMAP)).isFalse();
        assertThat(memory.followPage(vma, BASE)).isNull();
    }

    @Test
    void anOccupiedPteIsEbusyAndTheSecondPageIsNotTaken() {
        boot();
        Vma vma = special(1);
        Page first = m.alloc.allocPage(GFP_KERNEL);
        Page second = m.alloc.allocPage(GFP_KERNEL);
        memory.vmInsertPage(vma, BASE, first);

        assertThat(memory.vmInsertPage(vma, BASE, second)).isEqualTo(Errno.EBUSY.negative());

        assertThat(second.refcount()).isEqualTo(1);
        assertThat(second.mapcountWord()).isEqualTo(-1);
        assertThat(memory.followPage(vma, BASE)).isSameAs(first);
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isEqualTo(1);
        spaces.munmap(mm, BASE, PAGE);
        m.alloc.freePage(first);
        m.alloc.freePage(second);
    }

    @ParameterizedTest
    @ValueSource(strings = {"insertpage.AnonOnly", "insertpage.AnonSlabTyped"})
    void anonymousPagesAreRefusedInEveryEra(String rule) {
        boot(TestModules.select(InsertPagePolicy.class, rule));
        long anonAddr = spaces.mmapAnonymous(mm, 0, 2 * PAGE, VM_READ | VM_WRITE);
        Vma anon = mm.vmaLookup(anonAddr);
        memory.handleAnonFault(anon, anonAddr);
        Page page = memory.followPage(anon, anonAddr);
        Vma vma = special(1);

        assertThat(memory.vmInsertPage(vma, BASE, page)).isEqualTo(Errno.EINVAL.negative());

        assertThat(page.refcount()).isEqualTo(1);
        assertThat(page.mapcountWord()).as("mapped once, by the anonymous vma").isZero();
        assertThat(memory.followPage(vma, BASE)).isNull();
        assertThat(vma.hasFlags(VM_MIXEDMAP)).as("set before the page is validated").isTrue();
    }

    @Test
    void slabPagesAreRefusedFrom51() {
        boot();
        Vma vma = special(1);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        page.setFlag(PageFlags.PG_slab);

        assertThat(memory.vmInsertPage(vma, BASE, page)).isEqualTo(Errno.EINVAL.negative());

        assertThat(page.refcount()).isEqualTo(1);
        assertThat(page.mapcountWord()).isEqualTo(-1);
        page.clearFlag(PageFlags.PG_slab);
        m.alloc.freePage(page);
    }

    @Test
    void slabPagesWereMappedBefore51() {
        boot(TestModules.select(InsertPagePolicy.class, "insertpage.AnonOnly"));
        Vma vma = special(1);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        page.setFlag(PageFlags.PG_slab);

        assertThat(memory.vmInsertPage(vma, BASE, page)).isZero();

        assertThat(page.mapcountWord()).isZero();
        spaces.munmap(mm, BASE, PAGE);
        page.clearFlag(PageFlags.PG_slab);
        m.alloc.freePage(page);
    }

    @Test
    void aTailPageIsReferencedThroughItsHead() {
        boot();
        Vma vma = special(1);
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 1);
        Page tail = m.memMap.page((int) head.pfn() + 1);

        assertThat(memory.vmInsertPage(vma, BASE, tail)).isZero();

        assertThat(head.refcount()).isEqualTo(2);
        assertThat(tail.refcount()).isZero();
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isEqualTo(1);
        assertThat(tail.mapcountWord()).as("the tail's own mapcount").isZero();
        assertThat(head.mapcountWord()).isEqualTo(-1);
        spaces.munmap(mm, BASE, PAGE);
        assertThat(head.refcount()).isEqualTo(1);
        m.alloc.freePages(head, 1);
    }

    @Test
    void swapBackedPagesCountAsShmem() {
        boot();
        Vma vma = special(1);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        page.setFlag(PageFlags.PG_swapbacked);

        memory.vmInsertPage(vma, BASE, page);

        assertThat(mm.rss(MmStruct.MM_SHMEMPAGES)).isEqualTo(1);
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isZero();
        spaces.munmap(mm, BASE, PAGE);
        assertThat(mm.rss(MmStruct.MM_SHMEMPAGES)).isZero();
        m.alloc.freePage(page);
    }

    @Test
    void aTailOfASwapBackedCompoundPageCountsAsShmem() {
        boot();
        Vma vma = special(1);
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 1);
        head.setFlag(PageFlags.PG_swapbacked);

        memory.vmInsertPage(vma, BASE, m.memMap.page((int) head.pfn() + 1));

        assertThat(mm.rss(MmStruct.MM_SHMEMPAGES)).isEqualTo(1);
        spaces.munmap(mm, BASE, PAGE);
        assertThat(mm.rss(MmStruct.MM_SHMEMPAGES)).isZero();
        m.alloc.freePages(head, 1);
    }

    @Test
    void aPfnmapVmaIsAKernelBug() {
        boot();
        long addr = spaces.mmapSpecial(mm, BASE, PAGE, VM_READ | VM_PFNMAP);
        Vma vma = mm.vmaLookup(addr);
        Page page = m.alloc.allocPage(GFP_KERNEL);

        assertThatThrownBy(() -> memory.vmInsertPage(vma, BASE, page))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("BUG_ON(vma->vm_flags & VM_PFNMAP)");

        assertThat(page.refcount()).isEqualTo(1);
        m.alloc.freePage(page);
    }

    @Test
    void noMemoryForAPageTableIsEnomemAndThePageIsUntouched() {
        boot(MemoryConfig.of("4M"));
        Vma vma = special(1);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        List<Page> hoard = new ArrayList<>();
        for (Page p; (p = m.alloc.allocPage(GFP_KERNEL | org.mmemu.core.page.Gfp.__GFP_NOWARN)) != null; ) {
            hoard.add(p);
        }

        assertThat(memory.vmInsertPage(vma, BASE, page)).isEqualTo(Errno.ENOMEM.negative());

        assertThat(page.refcount()).isEqualTo(1);
        assertThat(page.mapcountWord()).isEqualTo(-1);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
        hoard.forEach(m.alloc::freePage);

        assertThat(memory.vmInsertPage(vma, BASE, page)).as("with memory back").isZero();
        spaces.munmap(mm, BASE, PAGE);
        m.alloc.freePage(page);
        m.log.clear();
    }

    private Vma special(int pages) {
        long addr = spaces.mmapSpecial(mm, BASE, pages * PAGE, VM_READ | VM_WRITE | VM_SHARED);
        assertThat(addr).isEqualTo(BASE);
        return mm.vmaLookup(addr);
    }

    private long used() {
        return m.memMap.nrPages() - m.alloc.freePfns().cardinality();
    }
}
