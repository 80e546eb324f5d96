package org.mmemu.core.mm;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.page.MemMap;

/**
 * {@code mprotect} (mm/mprotect.c: {@code do_mprotect_pkey}, {@code mprotect_fixup},
 * {@code change_protection}): new permissions for a range of user addresses, within what each
 * vma's {@code VM_MAY*} bits allow.
 */
public final class Mprotect {
    private static final int EINVAL = Errno.EINVAL.negative();
    private static final int ENOMEM = Errno.ENOMEM.negative();
    private static final int EACCES = Errno.EACCES.negative();

    private final MemoryMapping memory;

    @Inject
    public Mprotect(MemoryMapping memory) {
        this.memory = memory;
    }

    /**
     * {@code mprotect}: gives {@code [start, start + len)} the permissions {@code prot}, vma by
     * vma, splitting the vmas it covers only in part (as munmap does: the new parts are opened),
     * and rewrites their PTEs ({@code change_protection}: writable only in a shared writable vma
     * ({@link Pte#vmGetPageProt}) or for an anonymous page mapped only there; not present for
     * {@code PROT_NONE}). A permission
     * whose {@code VM_MAY*} the vma lacks is refused with {@code -EACCES} (a shared mapping of a
     * file opened read-only, a driver that cleared {@code VM_MAYWRITE}); vmas before the one
     * refused keep their new permissions, as in the kernel.
     *
     * @param prot {@code PROT_*} of {@link Mman}
     * @return 0 (also for a zero length); {@code -EINVAL} for an unaligned start or an unknown
     *     {@code prot} bit; {@code -ENOMEM} when the range wraps or is not mapped throughout;
     *     {@code -EACCES}
     */
    public int mprotect(MmStruct mm, long start, long len, int prot) {
        if ((start & ~MemMap.PAGE_MASK) != 0) {
            return EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = start + MemMap.pageAlign(len);
        if (Long.compareUnsigned(end, start) <= 0) {
            return ENOMEM;
        }
        if ((prot & ~(Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC | Mman.PROT_SEM)) != 0) {
            return EINVAL;
        }
        mm.mmapLock.writeLock().lock();
        try {
            mm.livePgd();
            Vma vma = mm.findVmaLocked(start);
            long nstart = start;
            while (vma != null && vma.start() <= nstart) {
                long newFlags = Mman.calcVmProtBits(prot) | (vma.flags() & ~VmFlags.VM_ACCESS_FLAGS);
                if ((newFlags & ~(newFlags >>> 4) & VmFlags.VM_ACCESS_FLAGS) != 0) {
                    return EACCES;
                }
                long tmp = Math.min(vma.end(), end);
                mprotectFixup(mm, vma, nstart, tmp, newFlags);
                nstart = tmp;
                if (nstart >= end) {
                    return 0;
                }
                vma = mm.findVmaLocked(nstart);
            }
            return ENOMEM;
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /** {@code mprotect_fixup}: cuts {@code [start, end)} out of {@code vma} and gives it the flags. */
    private void mprotectFixup(MmStruct mm, Vma vma, long start, long end, long newFlags) {
        if (newFlags == vma.flags()) {
            return;
        }
        if (start != vma.start()) {
            AddressSpaces.splitVma(mm, vma, start, true);
        }
        if (end != vma.end()) {
            AddressSpaces.splitVma(mm, vma, end, false);
        }
        vma.setFlags(newFlags);
        memory.changeProtection(vma, start, end);
    }
}
