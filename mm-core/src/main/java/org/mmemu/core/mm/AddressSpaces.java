package org.mmemu.core.mm;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.rcu.Rcu;

/**
 * The life of user address spaces (kernel/fork.c and mm/mmap.c): {@code mm_alloc},
 * {@code mmget}/{@code mmput} with {@code exit_mmap}, {@code mmap} of anonymous and driver
 * ("special") ranges, and {@code munmap}, which zaps the PTEs and frees the page tables no
 * remaining vma needs.
 *
 * <p>Simplifications: an address given to mmap is a {@code MAP_FIXED_NOREPLACE} request; a
 * zero address takes the lowest free range from {@code TASK_UNMAPPED_BASE} (the legacy
 * bottom-up layout, deterministic); vmas are never merged.
 */
public final class AddressSpaces {
    private static final long EINVAL = Errno.EINVAL.negative();
    private static final long ENOMEM = Errno.ENOMEM.negative();
    private static final long EEXIST = Errno.EEXIST.negative();

    private final PageTableAllocator tables;
    private final MemoryMapping memory;
    private final PageRefs refs;
    private final Rcu rcu;
    private final KernelObjects kernelObjects;
    private final KernelLog log;
    private final long taskSize;

    @Inject
    public AddressSpaces(PageTableAllocator tables, MemoryMapping memory, PageRefs refs, Rcu rcu,
                         KernelObjects kernelObjects, KernelLog log) {
        this.tables = tables;
        this.memory = memory;
        this.refs = refs;
        this.rcu = rcu;
        this.kernelObjects = kernelObjects;
        this.log = log;
        this.taskSize = tables.geometry().taskSize();
    }

    /** {@code TASK_UNMAPPED_BASE}: where a search for a free range starts. */
    public long taskUnmappedBase() {
        return pageAlign(taskSize / 3);
    }

    /** {@code mm_alloc}: a new address space with a pgd and one user, or null out of memory. */
    public MmStruct mmAlloc() {
        MmStruct mm = new MmStruct();
        mm.setAddress(kernelObjects.register(mm));
        PageTable pgd = tables.allocPgd(mm);
        if (pgd == null) {
            kernelObjects.free(mm.address());
            return null;
        }
        mm.setPgd(pgd);
        return mm;
    }

    /**
     * {@code dup_mm}: the address space of a forked child: a new mm ({@link #mmAlloc}, its pgd
     * allocated and charged as {@code current}, which {@code copy_process} makes the child) with
     * the layout of {@code old}, each vma copied by {@link #dupVma} ({@code dup_mmap}), except
     * {@code VM_DONTCOPY} ones.
     *
     * <p>Left out for now: no page is copied or shared (no COW), so the child's vmas start empty
     * and its anonymous faults bring fresh pages; hence no page table below the pgd is copied.
     *
     * @return the child's mm, or null out of memory
     */
    public MmStruct dupMm(MmStruct old) {
        MmStruct mm = mmAlloc();
        if (mm == null) {
            return null;
        }
        old.mmapLock.writeLock().lock();
        mm.mmapLock.writeLock().lock();
        try {
            old.livePgd();
            for (Vma vma : old.vmaMap().values()) {
                if (!vma.hasFlags(VmFlags.VM_DONTCOPY)) {
                    dupVma(mm, vma);
                }
            }
        } finally {
            mm.mmapLock.writeLock().unlock();
            old.mmapLock.writeLock().unlock();
        }
        return mm;
    }

    /**
     * One vma of {@code dup_mmap}: {@code vm_area_dup} into {@code mm}, same range and flags.
     * The anon_vma is not chained ({@code anon_vma_fork}): the child's first fault makes its own.
     * Called under both mms' mmap locks.
     */
    private static void dupVma(MmStruct mm, Vma vma) {
        mm.insertVma(new Vma(mm, vma.start(), vma.end(), vma.flags(), vma.isAnonymous()));
    }

    /** {@code mmget}: one more user. */
    public void mmget(MmStruct mm) {
        if (mm.incUsers() <= 1) {
            throw new KernelBug("mmget on " + mm + " whose mm_users had dropped to 0 (use after free)");
        }
    }

    /**
     * {@code mmput}: drops a user; the last one tears the address space down
     * ({@code exit_mmap}: every page unmapped, every table freed) and frees it ({@code pgd_free},
     * then {@code check_mm}, which reports rss counters or page-table bytes left over).
     */
    public void mmput(MmStruct mm) {
        int users = mm.decUsers();
        if (users < 0) {
            throw new KernelBug("mmput on " + mm + " with mm_users already 0 (use after free)");
        }
        if (users > 0) {
            return;
        }
        PageTable pgd = mm.livePgd();
        exitMmap(mm);
        tables.freePgd(mm, pgd);
        mm.setPgd(null);
        checkMm(mm);
        kernelObjects.free(mm.address());
    }

    /** {@code tlb_gather_mmu}: a gather for tearing down part ({@code fullmm}: all) of {@code mm}. */
    public MmuGather tlbGatherMmu(MmStruct mm, boolean fullmm) {
        return new MmuGather(mm, fullmm, refs, rcu, tables);
    }

    /**
     * Maps an anonymous range: pages arrive with {@link MemoryMapping#handleAnonFault}.
     *
     * @return the start address, or {@code -EINVAL} (zero length, unaligned address),
     *     {@code -ENOMEM} (no room), {@code -EEXIST} (the fixed range is taken)
     */
    public long mmapAnonymous(MmStruct mm, long addr, long len, long vmFlags) {
        return mmapRegion(mm, addr, len, vmFlags, true);
    }

    /**
     * Maps a driver's range ({@code vm_ops} set, no anonymous faults) that the driver fills with
     * {@link MemoryMapping#vmInsertPage} or {@code remap_vmalloc_range}. Returns as
     * {@link #mmapAnonymous}.
     */
    public long mmapSpecial(MmStruct mm, long addr, long len, long vmFlags) {
        return mmapRegion(mm, addr, len, vmFlags, false);
    }

    private long mmapRegion(MmStruct mm, long addr, long len, long vmFlags, boolean anonymous) {
        if (len == 0) {
            return EINVAL;
        }
        long size = pageAlign(len);
        if (size == 0 || Long.compareUnsigned(size, taskSize) > 0) {
            return ENOMEM;
        }
        mm.mmapLock.writeLock().lock();
        try {
            mm.livePgd();
            if (addr != 0) {
                if ((addr & ~MemMap.PAGE_MASK) != 0) {
                    return EINVAL;
                }
                if (Long.compareUnsigned(addr, taskSize - size) > 0) {
                    return ENOMEM;
                }
                Vma clash = mm.findVmaLocked(addr);
                if (clash != null && clash.start() < addr + size) {
                    return EEXIST;
                }
            } else {
                addr = unmappedArea(mm, size);
                if (addr == 0) {
                    return ENOMEM;
                }
            }
            mm.insertVma(new Vma(mm, addr, addr + size, vmFlags, anonymous));
            return addr;
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /** The lowest free range of {@code size} from {@code TASK_UNMAPPED_BASE}, or 0. */
    private long unmappedArea(MmStruct mm, long size) {
        long candidate = taskUnmappedBase();
        for (Vma vma : mm.vmaMap().values()) {
            if (vma.end() <= candidate) {
                continue;
            }
            if (vma.start() - candidate >= size) {
                return candidate;
            }
            candidate = vma.end();
        }
        return taskSize - candidate >= size ? candidate : 0;
    }

    /**
     * {@code munmap}: unmaps {@code [start, start + len)}, splitting vmas that straddle an end;
     * zaps their PTEs (each page: rmap removed, reference dropped through the gather), then
     * frees the page tables that no vma outside the range still needs.
     *
     * @return 0 (also when nothing was mapped), {@code -EINVAL} for an unaligned start, a zero
     *     length or a range beyond {@code TASK_SIZE}
     */
    public int munmap(MmStruct mm, long start, long len) {
        if ((start & ~MemMap.PAGE_MASK) != 0 || Long.compareUnsigned(start, taskSize) > 0
                || Long.compareUnsigned(len, taskSize - start) > 0) {
            return (int) EINVAL;
        }
        len = pageAlign(len);
        if (len == 0) {
            return (int) EINVAL;
        }
        long end = start + len;
        mm.mmapLock.writeLock().lock();
        try {
            Vma vma = mm.findVmaLocked(start);
            if (vma == null || vma.start() >= end) {
                return 0;
            }
            if (vma.start() < start) {
                splitVma(mm, vma, start, false);
            }
            Vma last = mm.findVmaLocked(end);
            if (last != null && last.start() < end) {
                splitVma(mm, last, end, true);
            }
            List<Vma> doomed = new ArrayList<>(mm.vmaMap().subMap(start, true, end, false).values());
            Vma prev = mm.prevVmaLocked(start);
            Vma next = mm.findVmaLocked(end);
            unmapRegion(mm, doomed, prev == null ? 0 : prev.end(), next == null ? 0 : next.start(), false);
            return 0;
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /** {@code exit_mmap}: everything goes; floor and ceiling are the whole address space. */
    private void exitMmap(MmStruct mm) {
        mm.mmapLock.writeLock().lock();
        try {
            unmapRegion(mm, new ArrayList<>(mm.vmaMap().values()), 0, 0, true);
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /** {@code unmap_region} + {@code remove_vma_list}. */
    private void unmapRegion(MmStruct mm, List<Vma> vmas, long floor, long ceiling, boolean fullmm) {
        MmuGather tlb = tlbGatherMmu(mm, fullmm);
        if (!vmas.isEmpty()) {
            memory.unmapVmas(tlb, vmas);
            memory.freePgtables(tlb, vmas.get(0).start(), vmas.get(vmas.size() - 1).end(), floor, ceiling);
        }
        tlb.finish();
        for (Vma vma : vmas) {
            mm.removeVma(vma);
            memory.unlinkAnonVma(vma);
        }
    }

    /**
     * {@code __split_vma}: cuts {@code vma} at {@code addr}; the vma object keeps the upper part
     * when {@code newBelow}, the lower part otherwise. Both parts share the anon_vma.
     */
    private static void splitVma(MmStruct mm, Vma vma, long addr, boolean newBelow) {
        mm.removeVma(vma);
        Vma fresh;
        if (newBelow) {
            fresh = new Vma(mm, vma.start(), addr, vma.flags(), vma.isAnonymous());
            vma.setStart(addr);
        } else {
            fresh = new Vma(mm, addr, vma.end(), vma.flags(), vma.isAnonymous());
            vma.setEnd(addr);
        }
        AnonVma anonVma = vma.anonVma();
        if (anonVma != null) {
            anonVma.get();
            fresh.setAnonVma(anonVma);
        }
        mm.insertVma(vma);
        mm.insertVma(fresh);
    }

    /** {@code check_mm}: what a freed mm must not hold any more. */
    private void checkMm(MmStruct mm) {
        for (int i = 0; i < MmStruct.NR_MM_COUNTERS; i++) {
            long x = mm.rss(i);
            if (x != 0) {
                log.printk(String.format(Locale.ROOT, "BUG: Bad rss-counter state mm:%016x type:%s val:%d",
                        mm.address(), MmStruct.RESIDENT_PAGE_TYPES[i], x));
            }
        }
        if (mm.pgtablesBytes() != 0) {
            log.printk(String.format(Locale.ROOT, "BUG: non-zero pgtables_bytes on freeing mm: %d",
                    mm.pgtablesBytes()));
        }
    }

    private static long pageAlign(long len) {
        return (len + MemMap.PAGE_SIZE - 1) & MemMap.PAGE_MASK;
    }
}
