package org.mmemu.core.vmalloc;

import static org.mmemu.core.page.Gfp.GFP_DMA;
import static org.mmemu.core.page.Gfp.GFP_DMA32;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_FS;
import static org.mmemu.core.page.Gfp.__GFP_HIGH;
import static org.mmemu.core.page.Gfp.__GFP_HIGHMEM;
import static org.mmemu.core.page.Gfp.__GFP_IO;
import static org.mmemu.core.page.Gfp.__GFP_MEMALLOC;
import static org.mmemu.core.page.Gfp.__GFP_NOFAIL;
import static org.mmemu.core.page.Gfp.__GFP_NOMEMALLOC;
import static org.mmemu.core.page.Gfp.__GFP_NORETRY;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIM;
import static org.mmemu.core.page.Gfp.__GFP_RETRY_MAYFAIL;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mmemu.core.Errno;
import org.mmemu.core.alloc.KmemPageHelpers;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.VmFlags;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.vmstat.PageStats;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * vmalloc (mm/vmalloc.c, latest kernel's behaviour): virtually contiguous kernel memory built
 * from order-0 pages, in the emulated range {@link MemMap#VMALLOC_START} to
 * {@link MemMap#VMALLOC_END}, plus {@code remap_vmalloc_range} to map it into user space.
 *
 * <p>Every page comes from {@link KmemPageHelpers#allocKmemPages} with the caller's gfp plus
 * {@code __GFP_HIGHMEM | __GFP_NOWARN}, and is freed with {@link KmemPageHelpers#freeKmemPages}:
 * in 4.6/4.7 {@code alloc_kmem_pages} charged an {@code __GFP_ACCOUNT} area's pages and
 * {@code __vunmap} gave them back with {@code __free_kmem_pages}; from 4.8 the calls are
 * {@code alloc_pages_node} and {@code __free_page}, and the caller's {@code __GFP_ACCOUNT}
 * reaches the allocator's own hooks for each page. Either way an accounted area is charged.
 * A failed allocation frees what it took, warns once in the kernel's words (unless the caller
 * passed {@code __GFP_NOWARN}) and returns 0. An area's pages array needs
 * its own vmalloc area (unaccounted) when it outgrows a page, as in the kernel; smaller arrays
 * are kmalloc'd, which mm-core does not emulate. {@code NR_VMALLOC} counts the pages, and an
 * accounted area's pages also count in their owner's {@code NR_VMALLOC} through
 * {@link PageStats#modMemcgPageState} (memcg's {@code vmalloc} statistic of 6.x).
 *
 * <p>The emulator prints addresses where the kernel's {@code %p} prints a hashed value.
 */
public final class Vmalloc {
    /** {@code SHMLBA} on x86: the alignment of areas meant for user mappings. */
    public static final long SHMLBA = MemMap.PAGE_SIZE;

    /** {@code GFP_RECLAIM_MASK} (mm/internal.h): what the nested pages-array allocation keeps. */
    private static final int GFP_RECLAIM_MASK = __GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS
            | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC
            | __GFP_NOMEMALLOC;
    private static final int EINVAL = Errno.EINVAL.negative();

    private final VmapAreas areas = new VmapAreas();
    private final KmemPageHelpers kmemPages;
    private final MemMap memMap;
    private final MemoryMapping memory;
    private final VmStat vmStat;
    private final PageStats pageStats;
    private final KernelLog log;
    private final Tasks tasks;
    private final Cpus cpus;
    private final GfpLayout gfpLayout;
    private final AtomicBoolean warnedZeroSize = new AtomicBoolean();

    @Inject
    public Vmalloc(KmemPageHelpers kmemPages, MemMap memMap, MemoryMapping memory, VmStat vmStat,
                   PageStats pageStats, KernelLog log, Tasks tasks, Cpus cpus, GfpLayout gfpLayout) {
        this.kmemPages = kmemPages;
        this.memMap = memMap;
        this.memory = memory;
        this.vmStat = vmStat;
        this.pageStats = pageStats;
        this.log = log;
        this.tasks = tasks;
        this.cpus = cpus;
        this.gfpLayout = gfpLayout;
    }

    /** {@code vmalloc(size)}: {@code GFP_KERNEL} pages; the area's address, or 0. */
    public long vmalloc(long size) {
        return vmalloc(size, GFP_KERNEL);
    }

    /** {@code __vmalloc(size, gfp)}: the caller's gfp for every page; the address, or 0. */
    public long vmalloc(long size, int gfp) {
        return vmallocNodeRange(size, 1, MemMap.VMALLOC_START, MemMap.VMALLOC_END, gfp, 0);
    }

    /**
     * {@code vmalloc_user}: zeroed pages in a {@link VmStruct#VM_USERMAP} area, so that
     * {@link #remapVmallocRange} may map it to user space; the address, or 0.
     */
    public long vmallocUser(long size) {
        return vmallocNodeRange(size, SHMLBA, MemMap.VMALLOC_START, MemMap.VMALLOC_END,
                GFP_KERNEL | __GFP_ZERO, VmStruct.VM_USERMAP);
    }

    /**
     * {@code __vmalloc_node_range}: an area of {@code size} bytes aligned to {@code align}
     * within {@code [start, end)}, with extra {@code vmFlags} ({@link VmStruct}), each page
     * allocated with {@code gfp}. Returns the area's address, or 0 with a warning (the size is
     * zero, exceeds memory, finds no room, or a page cannot be had).
     */
    public long vmallocNodeRange(long size, long align, long start, long end, int gfp, long vmFlags) {
        if (size == 0) {
            if (!warnedZeroSize.getAndSet(true)) {
                warn("__vmalloc_node_range", null);
            }
            return 0;
        }
        long aligned = MemMap.pageAlign(size);
        if (aligned == 0 || Long.compareUnsigned(aligned >>> MemMap.PAGE_SHIFT, memMap.nrPages()) > 0) {
            warnAlloc(gfp, "vmalloc error: size " + Long.toUnsignedString(size) + ", exceeds total pages");
            return 0;
        }
        long areaSize = (vmFlags & VmStruct.VM_NO_GUARD) != 0 ? aligned : aligned + MemMap.PAGE_SIZE;
        VmStruct area = areas.alloc(areaSize, align,
                VmStruct.VM_ALLOC | VmStruct.VM_UNINITIALIZED | vmFlags, start, end);
        if (area == null) {
            warnAlloc(gfp, "vmalloc error: size " + size + ", vm_struct allocation failed");
            return 0;
        }
        if (!vmallocAreaNode(area, gfp)) {
            return 0;
        }
        area.clearFlags(VmStruct.VM_UNINITIALIZED);
        return area.addr();
    }

    /** {@code __vmalloc_area_node}: the pages array, then every page, or undo it all. */
    private boolean vmallocAreaNode(VmStruct area, int gfp) {
        int nrSmallPages = area.capacity();
        long arrayBytes = (long) nrSmallPages * Long.BYTES;
        int nestedGfp = (gfp & GFP_RECLAIM_MASK) | __GFP_ZERO;
        if ((gfp & (GFP_DMA | GFP_DMA32)) == 0) {
            gfp |= __GFP_HIGHMEM;
        }
        if (arrayBytes > MemMap.PAGE_SIZE) {
            long array = vmallocNodeRange(arrayBytes, 1, MemMap.VMALLOC_START, MemMap.VMALLOC_END, nestedGfp, 0);
            if (array == 0) {
                warnAlloc(gfp, "vmalloc error: size " + ((long) nrSmallPages << MemMap.PAGE_SHIFT)
                        + ", failed to allocated page array size " + arrayBytes);
                areas.remove(area.addr());
                return false;
            }
            area.setPagesArea(array);
        }
        for (int i = 0; i < nrSmallPages; i++) {
            Page page = kmemPages.allocKmemPages(gfp | __GFP_NOWARN, 0);
            if (page == null) {
                break;
            }
            area.addPage(page);
        }
        vmStat.mod(VmStatItem.NR_VMALLOC, area.nrPages());
        // 6.x: an accounted area counts in the memcg of its pages (all charged to one, the first's).
        if ((gfp & __GFP_ACCOUNT) != 0 && area.nrPages() > 0) {
            pageStats.modMemcgPageState(area.page(0), VmStatItem.NR_VMALLOC, area.nrPages());
        }
        if (area.nrPages() != nrSmallPages) {
            warnAlloc(gfp, "vmalloc error: size " + ((long) area.nrPages() << MemMap.PAGE_SHIFT)
                    + ", failed to allocate pages");
            vfree(area.addr());
            return false;
        }
        return true;
    }

    /**
     * {@code vfree}: frees the area containing {@code addr} and each of its pages with
     * {@code __free_page} ({@code __free_kmem_pages} in 4.6/4.7: uncharged even if still mapped;
     * a page that is still mapped somewhere keeps its other references).
     * 0 is ignored; an unaligned address or one outside every area gets the kernel's WARN and
     * frees nothing.
     */
    public void vfree(long addr) {
        if (addr == 0) {
            return;
        }
        if ((addr & ~MemMap.PAGE_MASK) != 0) {
            warn("vfree", String.format(Locale.ROOT, "Trying to vfree() bad address (%016x)", addr));
            return;
        }
        VmStruct area = areas.remove(addr);
        if (area == null) {
            warn("vfree", String.format(Locale.ROOT, "Trying to vfree() nonexistent vm area (%016x)", addr));
            return;
        }
        int nr = area.nrPages();
        if (nr > 0) {
            pageStats.modMemcgPageState(area.page(0), VmStatItem.NR_VMALLOC, -nr);
        }
        for (int i = 0; i < nr; i++) {
            kmemPages.freeKmemPages(area.page(i), 0);
        }
        vmStat.mod(VmStatItem.NR_VMALLOC, -nr);
        vfree(area.pagesArea());
    }

    /** {@code vmalloc_to_page}: the page behind {@code addr}, or null (guard page, unmapped). */
    public Page vmallocToPage(long addr) {
        VmStruct area = areas.find(addr);
        if (area == null) {
            return null;
        }
        long index = (addr - area.addr()) >>> MemMap.PAGE_SHIFT;
        return index < area.nrPages() ? area.page((int) index) : null;
    }

    /** {@code find_vm_area}: the area containing {@code addr}, or null. */
    public VmStruct findVmArea(long addr) {
        return areas.find(addr);
    }

    /** The number of vmalloc areas in use. */
    public int nrAreas() {
        return areas.size();
    }

    /**
     * {@code remap_vmalloc_range}: maps the whole vma with the area at {@code addr}, starting
     * {@code pgoff} pages into it.
     *
     * @see #remapVmallocRangePartial
     */
    public int remapVmallocRange(Vma vma, long addr, long pgoff) {
        return remapVmallocRangePartial(vma, vma.start(), addr, pgoff, vma.end() - vma.start());
    }

    /**
     * {@code remap_vmalloc_range_partial}: {@code vm_insert_page} of each page of
     * {@code [kaddr + pgoff pages, + size)} at {@code uaddr} onwards, then
     * {@code VM_DONTEXPAND | VM_DONTDUMP} on the vma.
     *
     * @return 0; {@code -EINVAL} for unaligned addresses, an unknown area, an area without
     *     {@code VM_USERMAP} (or {@code VM_DMA_COHERENT}) or a range past its end; otherwise the
     *     first error of {@code vm_insert_page}, with the pages before it left mapped
     */
    public int remapVmallocRangePartial(Vma vma, long uaddr, long kaddr, long pgoff, long size) {
        if (Long.compareUnsigned(pgoff, -1L >>> MemMap.PAGE_SHIFT) > 0) {
            return EINVAL;
        }
        long off = pgoff << MemMap.PAGE_SHIFT;
        size = MemMap.pageAlign(size);
        if ((uaddr & ~MemMap.PAGE_MASK) != 0 || (kaddr & ~MemMap.PAGE_MASK) != 0) {
            return EINVAL;
        }
        VmStruct area = areas.find(kaddr);
        if (area == null || (area.flags() & (VmStruct.VM_USERMAP | VmStruct.VM_DMA_COHERENT)) == 0) {
            return EINVAL;
        }
        long endIndex = size + off;
        if (Long.compareUnsigned(endIndex, size) < 0 || Long.compareUnsigned(endIndex, area.areaSize()) > 0) {
            return EINVAL;
        }
        kaddr += off;
        while (size > 0) {
            int ret = memory.vmInsertPage(vma, uaddr, vmallocToPage(kaddr));
            if (ret != 0) {
                return ret;
            }
            uaddr += MemMap.PAGE_SIZE;
            kaddr += MemMap.PAGE_SIZE;
            size -= MemMap.PAGE_SIZE;
        }
        vma.addFlags(VmFlags.VM_DONTEXPAND | VmFlags.VM_DONTDUMP);
        return 0;
    }

    /** {@code warn_alloc}: one line unless the gfp says {@code __GFP_NOWARN}. */
    private void warnAlloc(int gfp, String message) {
        if ((gfp & __GFP_NOWARN) != 0) {
            return;
        }
        log.printk(tasks.current().comm() + ": " + message + ", mode:" + gfpLayout.format(gfp)
                + ", nodemask=(null)");
    }

    /** {@code WARN()}: the cut line, the message, the WARNING line, and taint W. */
    private void warn(String function, String message) {
        log.printk("------------[ cut here ]------------");
        if (message != null) {
            log.printk(message);
        }
        log.printk(String.format(Locale.ROOT, "WARNING: CPU: %d PID: %d at mm/vmalloc.c %s",
                cpus.current().id(), tasks.current().pid(), function));
        log.addTaint(KernelLog.TAINT_WARN);
    }
}
