package org.mmemu.core.page;

import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;
import org.mmemu.core.KernelBug;

/**
 * The mem_map: every {@link Page} of the machine, indexed by pfn, plus the emulated address
 * spaces that name them.
 *
 * <p>A machine's mem_map is initialised lazily, a section ({@value #PAGES_PER_SECTION} pages)
 * at a time, as with {@code CONFIG_DEFERRED_STRUCT_PAGE_INIT} ({@code deferred_init_memmap}):
 * {@link #deferred} makes only the array of slots, and the zone initialises sections from the
 * top of memory downward ({@link #initSection}) when it needs their pages, so the pages from
 * {@link #firstInitPfn()} up exist and those below it do not yet. A pfn below it that someone
 * names ({@link #pfnToPage}, {@link #virtToPage}) is initialised on demand through the hook the
 * zone installs ({@link #setDeferredInit}), so every valid pfn has its page when asked for: a
 * caller never sees the difference from a fully initialised mem_map. The unchecked
 * {@link #page(int)} and {@link #fromLink} are for pfns taken from pages that exist.
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

    /** {@code PAGE_ALIGN}: {@code len} rounded up to a whole number of pages. */
    public static long pageAlign(long len) {
        return (len + PAGE_SIZE - 1) & PAGE_MASK;
    }

    public static final long PAGE_OFFSET = 0xffff888000000000L;
    public static final long KOBJ_START = 0xffff8f0000000000L;
    public static final long VMALLOC_START = 0xffffc90000000000L;
    public static final long VMALLOC_END = 0xffffe8ffffffffffL;
    public static final long VMEMMAP_START = 0xffffea0000000000L;
    /** {@code sizeof(struct page)} in the kernel, used for vmemmap addresses. */
    public static final int STRUCT_PAGE_SIZE = 64;

    /** {@code PAGES_PER_SECTION} on x86-64: 128 MiB, the unit of deferred initialisation. */
    public static final int PAGES_PER_SECTION = 1 << 15;

    private final Page[] pages;
    private final IntUnaryOperator zoneOf;
    /** Pages exist from this pfn up; written under the zone lock after the pages it covers. */
    private volatile int firstInitPfn;
    /** The zone's {@code deferred_grow_zone} down to a pfn, for a pfn named before it exists. */
    private IntConsumer deferredInit;

    /**
     * Creates all {@code nrPages} pages at once ({@code memmap_init} without deferred init);
     * {@code zoneOf} gives each pfn's zone id.
     *
     * @param nrPages the number of page frames
     * @param zoneOf the zone id of each pfn
     */
    public MemMap(int nrPages, IntUnaryOperator zoneOf) {
        this(nrPages, zoneOf, false);
    }

    private MemMap(int nrPages, IntUnaryOperator zoneOf, boolean deferred) {
        this.pages = new Page[nrPages];
        this.zoneOf = zoneOf;
        this.firstInitPfn = nrPages;
        if (!deferred) {
            initPages(0, nrPages);
        }
    }

    /**
     * A mem_map of {@code nrPages} slots and no page yet: its zone initialises it section by
     * section ({@link #initSection}).
     *
     * @param nrPages the number of page frames
     * @param zoneOf the zone id of each pfn
     */
    public static MemMap deferred(int nrPages, IntUnaryOperator zoneOf) {
        return new MemMap(nrPages, zoneOf, true);
    }

    /** {@code __init_single_page} for every pfn in {@code [start, end)}. */
    private void initPages(int start, int end) {
        for (int pfn = start; pfn < end; pfn++) {
            pages[pfn] = new Page(pfn, zoneOf.applyAsInt(pfn));
        }
        firstInitPfn = start;
    }

    /** The lowest pfn whose page exists: every pfn from here up has one, none below. */
    public int firstInitPfn() {
        return firstInitPfn;
    }

    /**
     * {@code deferred_init_memmap_chunk} for one section: creates the pages of the highest
     * section that has none and returns its first pfn (the new {@link #firstInitPfn()}), or -1
     * if every page exists. The caller, the zone, holds its lock and frees the pages into the
     * buddy.
     */
    public int initSection() {
        int end = firstInitPfn;
        if (end == 0) {
            return -1;
        }
        int start = (end - 1) & -PAGES_PER_SECTION;
        initPages(start, end);
        return start;
    }

    /**
     * Installs the zone's growth down to a pfn ({@code deferred_grow_zone} until the pfn's
     * section is initialised), which {@link #pfnToPage} and {@link #virtToPage} call for a pfn
     * whose page does not exist yet. Set once, at boot.
     */
    public void setDeferredInit(IntConsumer growTo) {
        this.deferredInit = growTo;
    }

    /** The number of page frames. */
    public int nrPages() {
        return pages.length;
    }

    /** {@code pfn_valid}. */
    public boolean pfnValid(long pfn) {
        return pfn >= 0 && pfn < pages.length;
    }

    /**
     * {@code pfn_to_page}; an invalid pfn is a kernel bug. A valid pfn whose section is not
     * initialised yet is initialised now, with every section above it.
     */
    public Page pfnToPage(long pfn) {
        if (!pfnValid(pfn)) {
            throw new KernelBug("pfn_to_page: pfn 0x" + Long.toHexString(pfn) + " is outside mem_map");
        }
        return initialisedPage((int) pfn);
    }

    private Page initialisedPage(int pfn) {
        if (pfn < firstInitPfn) {
            deferredInit.accept(pfn);
        }
        return pages[pfn];
    }

    /**
     * {@code pfn_to_page} without the range check, for hot paths holding the pfn of a page
     * that exists (from a page, a block or a list): a pfn of a section not initialised yet has
     * no page here ({@code null}), where {@link #pfnToPage} initialises it.
     */
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
        return initialisedPage((int) (offset >>> PAGE_SHIFT));
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
