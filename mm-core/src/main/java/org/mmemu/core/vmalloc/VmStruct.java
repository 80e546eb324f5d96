package org.mmemu.core.vmalloc;

import java.util.Locale;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * An emulated {@code vm_struct}: one vmalloc area. Its {@link #size()} includes the unmapped
 * guard page that follows every area (unless {@link #VM_NO_GUARD}), as the kernel's does;
 * {@link #areaSize()} is what can be mapped ({@code get_vm_area_size}).
 */
public final class VmStruct {
    /** {@code VM_IOREMAP}: an ioremap area. */
    public static final long VM_IOREMAP = 0x00000001L;
    /** {@code VM_ALLOC}: made by vmalloc. */
    public static final long VM_ALLOC = 0x00000002L;
    /** {@code VM_MAP}: made by vmap. */
    public static final long VM_MAP = 0x00000004L;
    /** {@code VM_USERMAP}: suitable for {@code remap_vmalloc_range}. */
    public static final long VM_USERMAP = 0x00000008L;
    /** {@code VM_DMA_COHERENT}: dma_alloc_coherent memory, also remappable. */
    public static final long VM_DMA_COHERENT = 0x00000010L;
    /** {@code VM_UNINITIALIZED}: set while the pages are being allocated. */
    public static final long VM_UNINITIALIZED = 0x00000020L;
    /** {@code VM_NO_GUARD}: no guard page after the area. */
    public static final long VM_NO_GUARD = 0x00000040L;

    private final long addr;
    private final long size;
    private final Page[] pages;
    private volatile long flags;
    private volatile int nrPages;
    private volatile long pagesArea;

    VmStruct(long addr, long size, long flags) {
        this.addr = addr;
        this.size = size;
        this.flags = flags;
        long mapped = (flags & VM_NO_GUARD) != 0 ? size : size - MemMap.PAGE_SIZE;
        this.pages = new Page[(int) (mapped >>> MemMap.PAGE_SHIFT)];
    }

    /** {@code area->addr}: the first address. */
    public long addr() {
        return addr;
    }

    /** {@code area->size}: the reserved bytes, guard page included. */
    public long size() {
        return size;
    }

    /** {@code get_vm_area_size}: the bytes that can be mapped. */
    public long areaSize() {
        return (long) pages.length << MemMap.PAGE_SHIFT;
    }

    /** {@code area->flags} ({@code VM_*} of this class). */
    public long flags() {
        return flags;
    }

    /** Whether every bit of {@code mask} is set. */
    public boolean hasFlags(long mask) {
        return (flags & mask) == mask;
    }

    /** {@code area->nr_pages}: pages allocated so far (all of them once vmalloc returned). */
    public int nrPages() {
        return nrPages;
    }

    /** {@code area->pages[i]}. */
    public Page page(int i) {
        if (i < 0 || i >= nrPages) {
            throw new IndexOutOfBoundsException("page " + i + " of " + nrPages + " in " + this);
        }
        return pages[i];
    }

    /**
     * The address of the vmalloc area holding the {@code pages} array when it needed more than a
     * page (more than 512 pages); 0 when the array was small enough for kmalloc (slab is not
     * emulated by mm-core, so such an array costs no page here).
     */
    public long pagesArea() {
        return pagesArea;
    }

    /** Whether {@code address} lies in the area, guard page included. */
    public boolean contains(long address) {
        return Long.compareUnsigned(address, addr) >= 0 && Long.compareUnsigned(address - addr, size) < 0;
    }

    void addPage(Page page) {
        pages[nrPages] = page;
        nrPages = nrPages + 1;
    }

    int capacity() {
        return pages.length;
    }

    void setPagesArea(long address) {
        pagesArea = address;
    }

    synchronized void clearFlags(long mask) {
        flags &= ~mask;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "vm_struct 0x%016x-0x%016x %d pages flags:%x", addr, addr + size,
                nrPages, flags);
    }
}
