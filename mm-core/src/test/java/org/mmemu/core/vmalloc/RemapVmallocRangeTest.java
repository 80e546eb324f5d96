package org.mmemu.core.vmalloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_DONTDUMP;
import static org.mmemu.core.mm.VmFlags.VM_DONTEXPAND;
import static org.mmemu.core.mm.VmFlags.VM_MIXEDMAP;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.TestModules;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/** {@code remap_vmalloc_range}: a vmalloc_user area mapped into a driver's vma. */
class RemapVmallocRangeTest {
    private static final long PAGE = MemMap.PAGE_SIZE;
    private static final long UADDR = 0x20000000L;

    private Machine m;
    private Vmalloc vmalloc;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private VmStat vmStat;
    private MmStruct mm;

    private void boot(com.google.inject.Module... modules) {
        m = Machine.boot(modules);
        vmalloc = m.injector.getInstance(Vmalloc.class);
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
        vmStat = m.injector.getInstance(VmStat.class);
        mm = spaces.mmAlloc();
    }

    @AfterEach
    void nothingLeaked() {
        spaces.mmput(mm);
        assertThat(vmalloc.nrAreas()).isZero();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
        assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isZero();
        assertThat(m.log.dmesg()).doesNotContain("BUG");
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void mapsEveryPageAndThePagesOutliveVfreeUntilMunmap() {
        boot();
        long addr = vmalloc.vmallocUser(4 * PAGE);
        Vma vma = special(4);

        assertThat(vmalloc.remapVmallocRange(vma, addr, 0)).isZero();

        for (int i = 0; i < 4; i++) {
            Page page = vmalloc.vmallocToPage(addr + i * PAGE);
            assertThat(memory.followPage(vma, UADDR + i * PAGE)).isSameAs(page);
            assertThat(page.refcount()).isEqualTo(2);
            assertThat(page.mapcountWord()).isZero();
        }
        assertThat(vma.hasFlags(VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP)).isTrue();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isEqualTo(4);
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isEqualTo(4);
        long usedMapped = used();

        vmalloc.vfree(addr);
        assertThat(used()).as("the mapping still holds every page").isEqualTo(usedMapped);
        assertThat(memory.followPage(vma, UADDR).refcount()).isEqualTo(1);

        spaces.munmap(mm, UADDR, 4 * PAGE);
        assertThat(used()).as("only the pgd is left").isEqualTo(1);
    }

    @Test
    void munmapBeforeVfreeLeavesTheAreaIntact() {
        boot();
        long addr = vmalloc.vmallocUser(2 * PAGE);
        Vma vma = special(2);
        vmalloc.remapVmallocRange(vma, addr, 0);

        spaces.munmap(mm, UADDR, 2 * PAGE);

        assertThat(vmalloc.vmallocToPage(addr).refcount()).isEqualTo(1);
        assertThat(vmalloc.vmallocToPage(addr).mapcountWord()).isEqualTo(-1);
        vmalloc.vfree(addr);
    }

    @Test
    void pgoffSelectsThePagesAndTheRangeMustFit() {
        boot();
        long addr = vmalloc.vmallocUser(4 * PAGE);
        Vma vma = special(2);

        assertThat(vmalloc.remapVmallocRange(vma, addr, 3)).isEqualTo(Errno.EINVAL.negative());
        assertThat(vma.hasFlags(VM_MIXEDMAP)).as("rejected before any insert").isFalse();
        assertThat(vmalloc.remapVmallocRange(vma, addr, 1L << 52)).isEqualTo(Errno.EINVAL.negative());

        assertThat(vmalloc.remapVmallocRange(vma, addr, 2)).isZero();

        assertThat(memory.followPage(vma, UADDR)).isSameAs(vmalloc.vmallocToPage(addr + 2 * PAGE));
        assertThat(memory.followPage(vma, UADDR + PAGE)).isSameAs(vmalloc.vmallocToPage(addr + 3 * PAGE));
        spaces.munmap(mm, UADDR, 2 * PAGE);
        vmalloc.vfree(addr);
    }

    @Test
    void anAreaWithoutVmUsermapIsEinval() {
        boot();
        long addr = vmalloc.vmalloc(2 * PAGE);
        Vma vma = special(2);

        assertThat(vmalloc.remapVmallocRange(vma, addr, 0)).isEqualTo(Errno.EINVAL.negative());

        assertThat(memory.followPage(vma, UADDR)).isNull();
        assertThat(vma.flags() & (VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP)).isZero();
        assertThat(vmalloc.vmallocToPage(addr).refcount()).isEqualTo(1);
        vmalloc.vfree(addr);
    }

    @Test
    void unalignedOrUnknownAddressesAreEinval() {
        boot();
        long addr = vmalloc.vmallocUser(2 * PAGE);
        Vma vma = special(2);

        assertThat(vmalloc.remapVmallocRange(vma, addr + 8, 0)).isEqualTo(Errno.EINVAL.negative());
        assertThat(vmalloc.remapVmallocRange(vma, addr + 64 * PAGE, 0)).isEqualTo(Errno.EINVAL.negative());
        assertThat(vmalloc.remapVmallocRangePartial(vma, UADDR + 1, addr, 0, PAGE))
                .isEqualTo(Errno.EINVAL.negative());
        assertThat(memory.followPage(vma, UADDR)).isNull();
        vmalloc.vfree(addr);
    }

    @Test
    void from51ATypedPageInTheMiddleStopsTheRemapWithTheFirstError() {
        boot();
        long addr = vmalloc.vmallocUser(4 * PAGE);
        Page third = vmalloc.vmallocToPage(addr + 2 * PAGE);
        m.types.set(third, PageType.OFFLINE);
        Vma vma = special(4);

        assertThat(vmalloc.remapVmallocRange(vma, addr, 0)).isEqualTo(Errno.EINVAL.negative());

        assertThat(memory.followPage(vma, UADDR)).isNotNull();
        assertThat(memory.followPage(vma, UADDR + PAGE)).isNotNull();
        assertThat(memory.followPage(vma, UADDR + 2 * PAGE)).isNull();
        assertThat(memory.followPage(vma, UADDR + 3 * PAGE)).isNull();
        assertThat(third.refcount()).isEqualTo(1);
        assertThat(m.types.has(third, PageType.OFFLINE)).isTrue();
        assertThat(vma.flags() & (VM_DONTEXPAND | VM_DONTDUMP)).isZero();

        spaces.munmap(mm, UADDR, 4 * PAGE);
        m.types.clear(third, PageType.OFFLINE);
        vmalloc.vfree(addr);
    }

    @Test
    void kmemcgTypedVmallocPagesCannotBeMappedIn51To510() {
        // Reference, conflict 3: with the page type, every charged page is refused.
        boot(TestModules.select(PageTypeEncoding.class, "pagetype.Bits50"));
        long addr = vmalloc.vmallocUser(2 * PAGE);
        for (int i = 0; i < 2; i++) {
            m.types.set(vmalloc.vmallocToPage(addr + i * PAGE), PageType.KMEMCG);
        }
        Vma vma = special(2);

        assertThat(vmalloc.remapVmallocRange(vma, addr, 0)).isEqualTo(Errno.EINVAL.negative());

        assertThat(memory.followPage(vma, UADDR)).isNull();
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isZero();
        for (int i = 0; i < 2; i++) {
            m.types.clear(vmalloc.vmallocToPage(addr + i * PAGE), PageType.KMEMCG);
        }
        vmalloc.vfree(addr);
    }

    private Vma special(int pages) {
        assertThat(spaces.mmapSpecial(mm, UADDR, pages * PAGE, VM_READ | VM_SHARED)).isEqualTo(UADDR);
        return mm.vmaLookup(UADDR);
    }

    private long used() {
        return m.memMap.nrPages() - m.alloc.freePfns().cardinality();
    }
}
