package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;

import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/** mmap and munmap of ranges: placement, errors, splits, and the anonymous fault. */
class MmapTest {
    private static final long PAGE = MemMap.PAGE_SIZE;
    private static final long RW = VM_READ | VM_WRITE;

    private Machine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private KernelObjects kernelObjects;
    private MmStruct mm;
    private long taskSize;

    @BeforeEach
    void boot() {
        m = Machine.boot();
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
        kernelObjects = m.injector.getInstance(KernelObjects.class);
        mm = spaces.mmAlloc();
        taskSize = memory.geometry().taskSize();
    }

    @AfterEach
    void nothingLeaked() {
        long address = mm.address();
        spaces.mmput(mm);
        assertThat(kernelObjects.isLive(address)).as("the mm struct is freed").isFalse();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void unplacedMappingsGoBottomUpFromTaskUnmappedBaseAndReuseHoles() {
        long base = spaces.taskUnmappedBase();
        assertThat(base).isEqualTo(0x2aaaaaaab000L);

        long a = spaces.mmapAnonymous(mm, 0, 3 * PAGE, RW);
        long b = spaces.mmapAnonymous(mm, 0, PAGE + 1, RW);
        assertThat(a).isEqualTo(base);
        assertThat(b).as("length rounded up to pages").isEqualTo(base + 3 * PAGE);
        assertThat(mm.vmaLookup(b).end()).isEqualTo(b + 2 * PAGE);

        spaces.munmap(mm, a, 3 * PAGE);
        assertThat(spaces.mmapAnonymous(mm, 0, 2 * PAGE, RW)).isEqualTo(base);
        assertThat(spaces.mmapAnonymous(mm, 0, 2 * PAGE, RW)).as("the hole is one page too small")
                .isEqualTo(b + 2 * PAGE);
        assertThat(mm.mapCount()).isEqualTo(3);
    }

    @Test
    void mmapRejectsWhatTheKernelRejects() {
        spaces.mmapAnonymous(mm, 0x400000, 4 * PAGE, RW);

        assertThat(spaces.mmapAnonymous(mm, 0x400000 + PAGE, PAGE, RW)).isEqualTo(Errno.EEXIST.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x3ff000, 2 * PAGE, RW)).isEqualTo(Errno.EEXIST.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x500001, PAGE, RW)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x500000, 0, RW)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.mmapAnonymous(mm, taskSize - PAGE, 2 * PAGE, RW)).isEqualTo(Errno.ENOMEM.negative());
        assertThat(spaces.mmapAnonymous(mm, 0, -PAGE, RW)).isEqualTo(Errno.ENOMEM.negative());
        assertThat(spaces.mmapAnonymous(mm, 0x3ff000, PAGE, RW)).as("right below fits").isEqualTo(0x3ff000);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void munmapRejectsWhatTheKernelRejectsAndIgnoresHoles() {
        assertThat(spaces.munmap(mm, 0x400001, PAGE)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.munmap(mm, 0x400000, 0)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.munmap(mm, taskSize - PAGE, 2 * PAGE)).isEqualTo(Errno.EINVAL.negative());
        assertThat(spaces.munmap(mm, 0x400000, PAGE)).as("nothing mapped there").isZero();
    }

    @Test
    void munmapAcrossTwoVmasSplitsBoth() {
        spaces.mmapAnonymous(mm, 0x400000, 4 * PAGE, RW);
        spaces.mmapAnonymous(mm, 0x404000, 4 * PAGE, RW);

        assertThat(spaces.munmap(mm, 0x402000, 4 * PAGE)).isZero();

        assertThat(mm.vmas()).extracting(Vma::start, Vma::end).containsExactly(
                Tuple.tuple(0x400000L, 0x402000L), Tuple.tuple(0x406000L, 0x408000L));
    }

    @Test
    void anonymousFaultsMapOnePagePerAddressOnlyInAnonymousVmas() {
        long addr = spaces.mmapAnonymous(mm, 0x400000, 2 * PAGE, RW);
        Vma vma = mm.vmaLookup(addr);
        long special = spaces.mmapSpecial(mm, 0x800000, PAGE, RW);

        assertThat(memory.handleAnonFault(vma, addr)).isZero();
        Page page = memory.followPage(vma, addr);
        assertThat(memory.handleAnonFault(vma, addr)).isZero();

        assertThat(memory.followPage(vma, addr)).as("the second fault finds the pte").isSameAs(page);
        assertThat(page.refcount()).isEqualTo(1);
        assertThat(m.injector.getInstance(Rmap.class).pageAnon(page)).isTrue();
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(1);
        assertThat(memory.handleAnonFault(vma, addr + 2 * PAGE)).isEqualTo(Errno.EFAULT.negative());
        assertThat(memory.handleAnonFault(mm.vmaLookup(special), special)).isEqualTo(Errno.EFAULT.negative());
    }

    @Test
    void theAnonVmaLivesWhileAnyPartOfASplitVmaDoes() {
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
    }
}
