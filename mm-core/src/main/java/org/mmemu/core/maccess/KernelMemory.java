package org.mmemu.core.maccess;

import com.google.inject.Inject;
import java.util.Locale;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.vmalloc.Vmalloc;

/**
 * Kernel code touching memory through kernel virtual addresses ({@code memcpy}, {@code memset},
 * {@code clear_page}, {@code copy_page}, and mm/maccess.c's {@code copy_from_kernel_nofault} /
 * {@code copy_to_kernel_nofault}), resolved the way the kernel's page tables resolve them:
 *
 * <pre>
 *  range                                    frame
 *  PAGE_OFFSET .. + memory size             pfn = (addr - PAGE_OFFSET) &gt;&gt; 12  (__pa, page_address)
 *  VMALLOC_START .. VMALLOC_END             the vm_struct's page (vmalloc_to_page); guard pages none
 *  anything else (user, kernel objects)     none
 * </pre>
 *
 * <p>Every copy crosses page boundaries, each piece going to its own frame. Touching an address
 * with no frame is an oops (a {@link KernelBug} with x86's page-fault text) for the plain
 * functions, and {@code -EFAULT} for the {@code _nofault} ones, after the pieces before it were
 * done, as in the kernel. Emulated kernel objects ({@link org.mmemu.core.addr.KernelObjects})
 * have addresses but no bytes: their fields are Java fields.
 */
public final class KernelMemory {
    private static final int EFAULT = Errno.EFAULT.negative();
    private static final int PAGE_SIZE = MemMap.PAGE_SIZE;

    private final MemMap memMap;
    private final PhysicalMemory ram;
    private final Vmalloc vmalloc;

    @Inject
    public KernelMemory(MemMap memMap, PhysicalMemory ram, Vmalloc vmalloc) {
        this.memMap = memMap;
        this.ram = ram;
        this.vmalloc = vmalloc;
    }

    /** One page-sized piece of an access: {@code len} bytes at {@code offset} of frame {@code pfn}. */
    @FunctionalInterface
    private interface Piece {
        void access(long pfn, int offset, long done, int len);
    }

    /** The pfn behind a kernel virtual address, or -1 where the kernel would fault. */
    public long virtToPfn(long addr) {
        long offset = addr - MemMap.PAGE_OFFSET;
        if (Long.compareUnsigned(offset, (long) memMap.nrPages() << MemMap.PAGE_SHIFT) < 0) {
            return offset >>> MemMap.PAGE_SHIFT;
        }
        if (Long.compareUnsigned(addr - MemMap.VMALLOC_START, MemMap.VMALLOC_END - MemMap.VMALLOC_START) <= 0) {
            Page page = vmalloc.vmallocToPage(addr);
            return page == null ? -1 : page.pfn();
        }
        return -1;
    }

    /** {@code memcpy(dst, src, len)} from a Java array into kernel memory. */
    public void write(long dst, byte[] src, int srcOffset, int len) {
        memcpyArray(dst, src, srcOffset, len, true);
    }

    /** {@code memcpy(dst, src, len)} from kernel memory into a Java array. */
    public void read(long src, byte[] dst, int dstOffset, int len) {
        memcpyArray(src, dst, dstOffset, len, false);
    }

    /**
     * {@link #write} ({@code toKernel}) or {@link #read}, page by page, the oops where a page has
     * no frame: a loop of its own rather than {@link #pieces}, because these two are on the data
     * paths of pipes and sockets and a capturing lambda per call is an allocation per call.
     */
    private void memcpyArray(long addr, byte[] buf, int offset, int len, boolean toKernel) {
        int done = 0;
        while (done < len) {
            long a = addr + done;
            int n = Math.min(len - done, PAGE_SIZE - pageOffset(a));
            long pfn = virtToPfn(a);
            if (pfn < 0) {
                throw oops(a, toKernel);
            }
            if (toKernel) {
                ram.write(pfn, pageOffset(a), buf, offset + done, n);
            } else {
                ram.read(pfn, pageOffset(a), buf, offset + done, n);
            }
            done += n;
        }
    }

    /** The {@code len} bytes at {@code src}, in a new array. */
    public byte[] read(long src, int len) {
        byte[] b = new byte[len];
        read(src, b, 0, len);
        return b;
    }

    /** {@code memset(s, c, n)}. */
    public void memset(long s, int c, long n) {
        oopsUnlessAll(s, n, true, pieces(s, n, (pfn, off, done, len) -> ram.memset(pfn, off, c, len)));
    }

    /** {@code clear_page}: the page at {@code addr} (page aligned) reads as zeroes. */
    public void clearPage(long addr) {
        memset(addr, 0, PAGE_SIZE);
    }

    /** {@code copy_page(to, from)}: a page's bytes from one kernel address to another. */
    public void copyPage(long to, long from) {
        memcpy(to, from, PAGE_SIZE);
    }

    /**
     * {@code memcpy(dst, src, n)} within kernel memory, each piece bounded by both addresses'
     * page boundaries.
     */
    public void memcpy(long dst, long src, long n) {
        long done = 0;
        while (done < n) {
            long d = dst + done;
            long s = src + done;
            int len = (int) Math.min(n - done, Math.min(PAGE_SIZE - pageOffset(d), PAGE_SIZE - pageOffset(s)));
            long srcPfn = virtToPfn(s);
            if (srcPfn < 0) {
                throw oops(s, false);
            }
            long dstPfn = virtToPfn(d);
            if (dstPfn < 0) {
                throw oops(d, true);
            }
            ram.copy(dstPfn, pageOffset(d), srcPfn, pageOffset(s), len);
            done += len;
        }
    }

    /**
     * {@code copy_from_kernel_nofault}: 0, or {@code -EFAULT} when part of {@code [src, src + size)}
     * has no frame (the bytes before it copied).
     */
    public int copyFromKernelNofault(byte[] dst, int dstOffset, long src, int size) {
        return pieces(src, size, (pfn, off, done, n) -> ram.read(pfn, off, dst, dstOffset + (int) done, n))
                == size ? 0 : EFAULT;
    }

    /** {@code copy_to_kernel_nofault}: 0, or {@code -EFAULT} as {@link #copyFromKernelNofault}. */
    public int copyToKernelNofault(long dst, byte[] src, int srcOffset, int size) {
        return pieces(dst, size, (pfn, off, done, n) -> ram.write(pfn, off, src, srcOffset + (int) done, n))
                == size ? 0 : EFAULT;
    }

    /** Runs {@code piece} over {@code [addr, addr + len)} page by page; the bytes done before a fault. */
    private long pieces(long addr, long len, Piece piece) {
        long done = 0;
        while (done < len) {
            long a = addr + done;
            int n = (int) Math.min(len - done, PAGE_SIZE - pageOffset(a));
            long pfn = virtToPfn(a);
            if (pfn < 0) {
                return done;
            }
            piece.access(pfn, pageOffset(a), done, n);
            done += n;
        }
        return done;
    }

    private static void oopsUnlessAll(long addr, long len, boolean write, long done) {
        if (done != len) {
            throw oops(addr + done, write);
        }
    }

    /** The oops of {@code page_fault_oops} for a kernel-mode access to an address with no frame. */
    private static KernelBug oops(long addr, boolean write) {
        return new KernelBug(String.format(Locale.ROOT,
                "BUG: unable to handle page fault for address: %016x%n#PF: supervisor %s access in kernel mode",
                addr, write ? "write" : "read"));
    }

    private static int pageOffset(long addr) {
        return (int) (addr & ~MemMap.PAGE_MASK);
    }
}
