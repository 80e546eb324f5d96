package org.mmemu.core.page;

import org.mmemu.core.KernelBug;

/**
 * The mem_map: every {@link Page} of the machine, created once at boot and indexed by pfn, plus
 * the emulated address spaces that name them.
 *
 * <pre>
 *  0xffff888000000000  PAGE_OFFSET    direct map: page_address(page) = PAGE_OFFSET + pfn * 4096
 *  0xffff8f0000000000  KOBJ_START     emulated kernel objects (mem_cgroup, obj_cgroup, ...)
 *  0xffffc90000000000  VMALLOC_START  vmalloc areas
 *  0xffffea0000000000  VMEMMAP_START  struct page array: pfn * 64 (what dump_page prints)
 * </pre>
 */
public final class MemMap {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final long PAGE_MASK = ~(long) (PAGE_SIZE - 1);

    public static final long PAGE_OFFSET = 0xffff888000000000L;
    public static final long KOBJ_START = 0xffff8f0000000000L;
    public static final long VMALLOC_START = 0xffffc90000000000L;
    public static final long VMALLOC_END = 0xffffe8ffffffffffL;
    public static final long VMEMMAP_START = 0xffffea0000000000L;
    /** {@code sizeof(struct page)} in the kernel, used for vmemmap addresses. */
    public static final int STRUCT_PAGE_SIZE = 64;

    private final Page[] pages;

    /**
     * Creates {@code nrPages} pages; {@code zoneOf} gives each pfn's zone id.
     *
     * @param nrPages the number of page frames
     * @param zoneOf the zone id of each pfn
     */
    public MemMap(int nrPages, java.util.function.IntUnaryOperator zoneOf) {
        pages = new Page[nrPages];
        for (int pfn = 0; pfn < nrPages; pfn++) {
            pages[pfn] = new Page(pfn, zoneOf.applyAsInt(pfn));
        }
    }

    /** The number of page frames. */
    public int nrPages() {
        return pages.length;
    }

    /** {@code pfn_valid}. */
    public boolean pfnValid(long pfn) {
        return pfn >= 0 && pfn < pages.length;
    }

    /** {@code pfn_to_page}; an invalid pfn is a kernel bug. */
    public Page pfnToPage(long pfn) {
        if (!pfnValid(pfn)) {
            throw new KernelBug("pfn_to_page: pfn 0x" + Long.toHexString(pfn) + " is outside mem_map");
        }
        return pages[(int) pfn];
    }

    /** {@code pfn_to_page} without the range check, for hot paths holding a valid pfn. */
    public Page page(int pfn) {
        return pages[pfn];
    }

    /** {@code page_address}: the page's address in the direct map. */
    public static long pageAddress(Page page) {
        return PAGE_OFFSET + (page.pfn() << PAGE_SHIFT);
    }

    /** {@code virt_to_page} for a direct-map address. */
    public Page virtToPage(long addr) {
        long offset = addr - PAGE_OFFSET;
        if (offset < 0 || (offset >>> PAGE_SHIFT) >= pages.length) {
            throw new KernelBug("virt_to_page: 0x" + Long.toHexString(addr) + " is not a direct-map address");
        }
        return pages[(int) (offset >>> PAGE_SHIFT)];
    }

    /** The address of the page's {@code struct page} in the vmemmap, as dump_page prints it. */
    public static long structPageAddress(Page page) {
        return VMEMMAP_START + page.pfn() * STRUCT_PAGE_SIZE;
    }

    /** The encoded list link naming {@code page}: its pfn shifted left, so bit 0 is clear. */
    public static int link(Page page) {
        return (int) (page.pfn() << 1);
    }

    /** The page an encoded link names; {@code null} for {@link Page#NIL_LINK}. */
    public Page fromLink(int link) {
        return link == Page.NIL_LINK ? null : pages[link >>> 1];
    }
}
