package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.it.misuse.Misuses.assertReturns;

import org.mmemu.core.Errno;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.Mman;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.Mprotect;
import org.mmemu.core.mm.UserCopy;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.mm.VmFlags;
import org.mmemu.core.page.MemMap;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;

/**
 * Misuses of a process's address space (mmap, munmap, mprotect, copy_to_user), made by the
 * bystander's own process: refused with the kernel's errno, its mappings as they were.
 */
class AddressSpaceMisuseTest {
    private static final long PAGE = MemMap.PAGE_SIZE;

    /** A file whose {@code ->mmap} accepts any vma and maps nothing itself. */
    private static File mappable(int mode) {
        return new File(new FileOperations() {
            @Override
            public int mmap(File file, Vma vma) {
                return 0;
            }
        }, null, mode);
    }

    /** A one-page anonymous mapping with {@code vmFlags} in the bystander's mm: its address. */
    private static long mapAnon(Kernel k, Witness w, long vmFlags) {
        long addr = k.get(AddressSpaces.class).mmapAnonymous(mm(w), 0, PAGE, vmFlags);
        assertThat(addr).isPositive();
        return addr;
    }

    private static MmStruct mm(Witness w) {
        return w.task().taskStruct().mm();
    }

    /**
     * {@code misuse} of the bystander's one-page anonymous mapping (given its mm and the
     * mapping's address) returns {@code expected}; the mapping and its flags stay as they were.
     */
    private static void assertOnAnonMapping(Kernel k, long vmFlags, long expected, AnonMisuse misuse) {
        Witness w = Witness.of(k);
        long addr = mapAnon(k, w, vmFlags);
        long flags = mm(w).findVma(addr).flags();
        w.mark();

        assertThat(misuse.apply(w, addr)).as("the return").isEqualTo(expected);

        assertThat(mm(w).mapCount()).isEqualTo(1);
        assertThat(mm(w).findVma(addr).flags()).isEqualTo(flags);
        w.assertUnchangedAndRelease();
    }

    /** A call on the bystander's address space, given the address of its mapping. */
    @FunctionalInterface
    private interface AnonMisuse {
        long apply(Witness w, long addr);
    }

    /** munmap of an unaligned start: {@code -EINVAL}, the mapping stays. */
    @Eras(value = Era.LATEST, memory = "64M")
    void munmapOfAnUnalignedStartIsEINVAL(Kernel k) {
        assertOnAnonMapping(k, VmFlags.VM_READ | VmFlags.VM_WRITE, Errno.EINVAL.negative(),
                (w, addr) -> k.get(AddressSpaces.class).munmap(mm(w), addr + 1, PAGE));
    }

    /** munmap of zero bytes: {@code -EINVAL}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void munmapOfZeroBytesIsEINVAL(Kernel k) {
        assertOnAnonMapping(k, VmFlags.VM_READ, Errno.EINVAL.negative(),
                (w, addr) -> k.get(AddressSpaces.class).munmap(mm(w), addr, 0));
    }

    /** munmap of a range nothing maps: success, as in the kernel, and nothing else unmapped. */
    @Eras(value = Era.LATEST, memory = "64M")
    void munmapOfAnUnmappedRangeDoesNothing(Kernel k) {
        assertOnAnonMapping(k, VmFlags.VM_READ, 0,
                (w, addr) -> k.get(AddressSpaces.class).munmap(mm(w), addr + 64 * PAGE, 4 * PAGE));
    }

    /** mprotect of a range nothing maps: {@code -ENOMEM}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void mprotectOfAnUnmappedRangeIsENOMEM(Kernel k) {
        assertOnAnonMapping(k, VmFlags.VM_READ, Errno.ENOMEM.negative(),
                (w, addr) -> k.get(Mprotect.class).mprotect(mm(w), addr + 64 * PAGE, PAGE, Mman.PROT_READ));
    }

    /** mprotect with an unknown {@code PROT_} bit: {@code -EINVAL}, the permissions stay. */
    @Eras(value = Era.LATEST, memory = "64M")
    void mprotectWithAnUnknownBitIsEINVAL(Kernel k) {
        assertOnAnonMapping(k, VmFlags.VM_READ, Errno.EINVAL.negative(),
                (w, addr) -> k.get(Mprotect.class).mprotect(mm(w), addr, PAGE, 0x100));
    }

    /**
     * mprotect(PROT_WRITE) of a shared mapping of a file opened read-only, which lost
     * {@code VM_MAYWRITE} at mmap: {@code -EACCES}, the mapping stays read-only.
     */
    @Eras(value = Era.LATEST, memory = "64M")
    void mprotectBeyondVmMayIsEACCES(Kernel k) {
        Witness w = Witness.of(k);
        File file = mappable(File.FMODE_READ);
        long addr = k.get(AddressSpaces.class).mmap(mm(w), file, 0, PAGE, Mman.PROT_READ, Mman.MAP_SHARED, 0);
        assertThat(addr).isPositive();
        long flags = mm(w).findVma(addr).flags();
        w.mark();

        assertReturns(Errno.EACCES, k.get(Mprotect.class).mprotect(mm(w), addr, PAGE,
                Mman.PROT_READ | Mman.PROT_WRITE));

        assertThat(mm(w).findVma(addr).flags()).isEqualTo(flags);
        assertThat(flags & VmFlags.VM_WRITE).isZero();
        w.assertUnchangedAndRelease();
    }

    /** mmap of a file without {@code ->mmap}: {@code -ENODEV}, no mapping, the file's count as it was. */
    @Eras(value = Era.LATEST, memory = "64M")
    void mmapOfAFileWithoutMmapIsENODEV(Kernel k) {
        Witness w = Witness.of(k);
        File file = new File(new FileOperations() { }, null, File.FMODE_READ);
        w.mark();

        assertReturns(Errno.ENODEV, k.get(AddressSpaces.class).mmap(mm(w), file, 0, PAGE, Mman.PROT_READ,
                Mman.MAP_PRIVATE, 0));

        assertThat(mm(w).mapCount()).isZero();
        assertThat(file.count()).isEqualTo(1);
        w.assertUnchangedAndRelease();
    }

    /** mmap of zero bytes: {@code -EINVAL}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void mmapOfZeroBytesIsEINVAL(Kernel k) {
        Witness w = Witness.of(k);
        File file = mappable(File.FMODE_READ);
        w.mark();

        assertReturns(Errno.EINVAL, k.get(AddressSpaces.class).mmap(mm(w), file, 0, 0, Mman.PROT_READ,
                Mman.MAP_PRIVATE, 0));

        assertThat(mm(w).mapCount()).isZero();
        w.assertUnchangedAndRelease();
    }

    /**
     * copy_to_user of 64 bytes at {@code to}, run as the bystander's process: the bytes not
     * copied; no anonymous page was faulted in.
     */
    private static int copyToUser(Kernel k, Witness w, long to) {
        int notCopied;
        try (var running = k.enter(w.task())) {
            notCopied = k.get(UserCopy.class).copyToUser(to, new byte[64], 0, 64);
        }
        assertThat(mm(w).rss(MmStruct.MM_ANONPAGES)).isZero();
        return notCopied;
    }

    /** copy_to_user through a read-only mapping: no byte copied, no page faulted in. */
    @Eras(value = Era.LATEST, memory = "64M")
    void copyToUserThroughAReadOnlyMappingCopiesNothing(Kernel k) {
        assertOnAnonMapping(k, VmFlags.VM_READ, 64, (w, addr) -> copyToUser(k, w, addr));
    }

    /** copy_to_user to an address nothing maps: no byte copied. */
    @Eras(value = Era.LATEST, memory = "64M")
    void copyToUserToAnUnmappedAddressCopiesNothing(Kernel k) {
        assertOnAnonMapping(k, VmFlags.VM_READ | VmFlags.VM_WRITE, 64,
                (w, addr) -> copyToUser(k, w, addr + 64 * PAGE));
    }
}
