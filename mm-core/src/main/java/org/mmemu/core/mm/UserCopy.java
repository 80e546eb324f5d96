package org.mmemu.core.mm;

import com.google.inject.Inject;
import java.util.Arrays;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Tasks;

/**
 * {@code copy_to_user}, {@code copy_from_user} and {@code clear_user} (lib/usercopy.c) through
 * {@code current}'s page tables, with the part of the x86 fault path they can take
 * ({@code access_error}, {@code do_anonymous_page}). Each returns the number of bytes
 * <em>not</em> copied, as the kernel does; a syscall turns a non-zero answer into
 * {@code -EFAULT}.
 *
 * <p>An access is refused whole when it reaches past {@code TASK_SIZE} ({@code access_ok}) or
 * {@code current} has no mm (a kernel thread); otherwise it proceeds page by page and stops at
 * the first page that faults:
 * <ul>
 *   <li>no vma there, or a vma without {@code VM_WRITE} for a write or without any of
 *       {@code VM_READ | VM_WRITE | VM_EXEC} for a read;</li>
 *   <li>a present PTE without {@code _PAGE_RW} for a write (the emulator has no copy-on-write);</li>
 *   <li>no PTE in a vma that is not anonymous (a driver mapping with nothing inserted: SIGBUS).</li>
 * </ul>
 * A write to an anonymous page not yet there faults it in ({@link MemoryMapping#handleAnonFault});
 * a read of one reads the zero page and maps nothing, as the kernel's read fault does. What
 * {@code copy_from_user} could not copy is zeroed in the destination, as {@code _copy_from_user}
 * does. The mmap lock is held for read while a page is copied, so munmap cannot free it midway.
 */
public final class UserCopy {
    private static final int PAGE_SIZE = MemMap.PAGE_SIZE;
    private static final long VM_ACCESS_FLAGS = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC;
    /** The pfn a read of a missing anonymous page sees: {@code ZERO_PAGE(0)}, which is not in mem_map. */
    private static final long ZERO_PAGE = -1;

    private final Tasks tasks;
    private final MemoryMapping memory;
    private final PhysicalMemory ram;
    private final PageTableWalk walk;
    private final long taskSize;

    @Inject
    public UserCopy(Tasks tasks, PageTableAllocator tables, MemoryMapping memory, PhysicalMemory ram) {
        this.tasks = tasks;
        this.memory = memory;
        this.ram = ram;
        this.walk = new PageTableWalk(tables);
        this.taskSize = tables.geometry().taskSize();
    }

    /** One page-sized piece of a user access: {@code len} bytes at {@code offset} of {@code pfn}. */
    @FunctionalInterface
    private interface Piece {
        void access(long pfn, int offset, int done, int len);
    }

    /** {@code copy_to_user(to, from + offset, n)}: the bytes not copied. */
    public int copyToUser(long to, byte[] from, int offset, int n) {
        return access(to, n, true, (pfn, off, done, len) -> ram.write(pfn, off, from, offset + done, len));
    }

    /**
     * {@code copy_from_user(to + offset, from, n)}: the bytes not copied, which are zeroed in
     * {@code to}.
     */
    public int copyFromUser(byte[] to, int offset, long from, int n) {
        int left = access(from, n, false, (pfn, off, done, len) -> {
            if (pfn == ZERO_PAGE) {
                Arrays.fill(to, offset + done, offset + done + len, (byte) 0);
            } else {
                ram.read(pfn, off, to, offset + done, len);
            }
        });
        Arrays.fill(to, offset + n - left, offset + n, (byte) 0);
        return left;
    }

    /** {@code clear_user(to, n)}: the bytes not zeroed. */
    public int clearUser(long to, int n) {
        return access(to, n, true, (pfn, off, done, len) -> ram.memset(pfn, off, 0, len));
    }

    /** The user access of {@code n} bytes at {@code addr}; the bytes left when it faulted. */
    private int access(long addr, int n, boolean write, Piece piece) {
        MmStruct mm = tasks.current().mm();
        if (mm == null || !accessOk(addr, n)) {
            return n;
        }
        int done = 0;
        while (done < n) {
            long a = addr + done;
            int offset = (int) (a & ~MemMap.PAGE_MASK);
            int len = Math.min(n - done, PAGE_SIZE - offset);
            if (!accessPage(mm, a, write, piece, offset, done, len)) {
                return n - done;
            }
            done += len;
        }
        return 0;
    }

    /** {@code access_ok}: the whole range lies below {@code TASK_SIZE}. */
    private boolean accessOk(long addr, int n) {
        return Long.compareUnsigned(addr, taskSize) <= 0 && Long.compareUnsigned(n, taskSize - addr) <= 0;
    }

    /** One page of the access, faulting an anonymous page in for a write; false if it faults. */
    private boolean accessPage(MmStruct mm, long addr, boolean write, Piece piece, int offset, int done, int len) {
        while (true) {
            Vma vma;
            mm.mmapLock.readLock().lock();
            try {
                vma = mm.findVmaLocked(addr);
                if (vma == null || vma.start() > addr || accessError(vma, write)) {
                    return false;
                }
                long pte;
                synchronized (mm.pageTableLock) {
                    pte = walk.pte(mm, addr);
                }
                if ((pte & Pte._PAGE_PRESENT) != 0) {
                    if (write && (pte & Pte._PAGE_RW) == 0) {
                        return false;
                    }
                    piece.access(Pte.pfn(pte), offset, done, len);
                    return true;
                }
                if (!vma.isAnonymous()) {
                    return false;
                }
                if (!write) {
                    piece.access(ZERO_PAGE, offset, done, len);
                    return true;
                }
            } finally {
                mm.mmapLock.readLock().unlock();
            }
            if (memory.handleAnonFault(vma, addr) != 0) {
                return false;
            }
        }
    }

    /** {@code access_error}: the vma does not allow this kind of access. */
    private static boolean accessError(Vma vma, boolean write) {
        return write ? !vma.hasFlags(VmFlags.VM_WRITE) : (vma.flags() & VM_ACCESS_FLAGS) == 0;
    }
}
