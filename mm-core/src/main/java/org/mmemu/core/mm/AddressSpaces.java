package org.mmemu.core.mm;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.fs.File;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/**
 * The life of user address spaces (kernel/fork.c and mm/mmap.c): {@code mm_alloc},
 * {@code mmget}/{@code mmput} with {@code exit_mmap}, {@code mmap} of anonymous ranges, of
 * driver ("special") ranges and of files ({@code do_mmap}: the file's {@code ->mmap} sets the
 * vma up), {@code munmap}, which splits the vmas it cuts ({@code __split_vma}: the new part is
 * opened), zaps the PTEs, frees the page tables no remaining vma needs and closes the vmas
 * that go ({@code remove_vma}), and the per-vma step of fork's {@code dup_mmap} for driver vmas
 * ({@link #dupVma}). {@link Mprotect} changes permissions.
 *
 * <p>Simplifications: an address given to mmap is a {@code MAP_FIXED_NOREPLACE} request; a
 * zero address takes the lowest free range from {@code TASK_UNMAPPED_BASE} (the legacy
 * bottom-up layout, deterministic); vmas are never merged; there is no commit accounting
 * ({@code VM_ACCOUNT}), no {@code max_map_count} and no {@code vm_ops->may_split} or
 * {@code ->mprotect}.
 */
public final class AddressSpaces {
    private static final long EINVAL = Errno.EINVAL.negative();
    private static final long ENOMEM = Errno.ENOMEM.negative();
    private static final long EEXIST = Errno.EEXIST.negative();
    private static final long EACCES = Errno.EACCES.negative();
    private static final long EOVERFLOW = Errno.EOVERFLOW.negative();

    private final PageTableAllocator tables;
    private final MemoryMapping memory;
    private final PageRefs refs;
    private final Rcu rcu;
    private final KernelObjects kernelObjects;
    private final KernelLog log;
    private final Tasks tasks;
    private final long taskSize;

    @Inject
    public AddressSpaces(PageTableAllocator tables, MemoryMapping memory, PageRefs refs, Rcu rcu,
                         KernelObjects kernelObjects, KernelLog log, Tasks tasks) {
        this.tables = tables;
        this.memory = memory;
        this.refs = refs;
        this.rcu = rcu;
        this.kernelObjects = kernelObjects;
        this.log = log;
        this.tasks = tasks;
        this.taskSize = tables.geometry().taskSize();
    }

    /** {@code TASK_UNMAPPED_BASE}: where a search for a free range starts. */
    public long taskUnmappedBase() {
        return MemMap.pageAlign(taskSize / 3);
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
     * {@code dup_mm}: the address space of a forked child, which must be {@code current}: a new
     * mm ({@link #mmAlloc}, its pgd allocated and charged in the child's context) with the layout
     * of {@code old} ({@code dup_mmap}): anonymous vmas copied empty, driver vmas by
     * {@link #dupVma} (their pages mapped again, {@code vm_ops->open}), {@code VM_DONTCOPY}
     * ones left out.
     *
     * <p>Left out for now: no anonymous page is copied or shared (no COW), so the child's
     * anonymous vmas start empty and its faults bring fresh pages.
     *
     * @return the child's mm, or null out of memory (what was copied is torn down, as
     *     {@code dup_mm} does with {@code mmput})
     */
    public MmStruct dupMm(MmStruct old) {
        MmStruct mm = mmAlloc();
        if (mm == null) {
            return null;
        }
        TaskStruct child = tasks.current();
        int ret = 0;
        old.mmapLock.writeLock().lock();
        mm.mmapLock.writeLock().lock();
        try {
            old.livePgd();
            for (Vma vma : List.copyOf(old.vmaMap().values())) {
                if (vma.hasFlags(VmFlags.VM_DONTCOPY)) {
                    continue;
                }
                if (vma.isAnonymous()) {
                    Vma copy = vma.dup(mm);
                    copy.clearFlags(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT);
                    mm.insertVma(copy);
                } else if ((ret = dupVma(vma, mm, child)) != 0) {
                    break;
                }
            }
        } finally {
            mm.mmapLock.writeLock().unlock();
            old.mmapLock.writeLock().unlock();
        }
        if (ret != 0) {
            mmput(mm);
            return null;
        }
        return mm;
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
     * Maps an anonymous range: pages arrive with {@link MemoryMapping#handleAnonFault}. As
     * {@code do_mmap} does for {@code MAP_ANONYMOUS}, the vma gets {@code VM_MAYREAD |
     * VM_MAYWRITE | VM_MAYEXEC} besides {@code vmFlags} (and {@code VM_MAYSHARE} with
     * {@code VM_SHARED}), so that mprotect may later grant any permission.
     *
     * @return the start address, or {@code -EINVAL} (zero length, unaligned address),
     *     {@code -ENOMEM} (no room), {@code -EEXIST} (the fixed range is taken)
     */
    public long mmapAnonymous(MmStruct mm, long addr, long len, long vmFlags) {
        long may = VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC
                | ((vmFlags & VmFlags.VM_SHARED) != 0 ? VmFlags.VM_MAYSHARE : 0);
        return mmapRegion(mm, addr, len, vmFlags | may, true);
    }

    /**
     * Maps a driver's range ({@code vm_ops} set, no anonymous faults) that the driver fills with
     * {@link MemoryMapping#vmInsertPage} or {@code remap_vmalloc_range}, with {@code vmFlags}
     * exactly ({@code _install_special_mapping}: the caller chooses its {@code VM_MAY*} bits
     * too). Returns as {@link #mmapAnonymous}.
     */
    public long mmapSpecial(MmStruct mm, long addr, long len, long vmFlags) {
        return mmapRegion(mm, addr, len, vmFlags, false);
    }

    private long mmapRegion(MmStruct mm, long addr, long len, long vmFlags, boolean anonymous) {
        if (len == 0) {
            return EINVAL;
        }
        long size = MemMap.pageAlign(len);
        if (size == 0 || Long.compareUnsigned(size, taskSize) > 0) {
            return ENOMEM;
        }
        mm.mmapLock.writeLock().lock();
        try {
            long start = placeLocked(mm, addr, size);
            if (start >= 0) {
                mm.insertVma(new Vma(mm, start, start + size, vmFlags, 0,
                        anonymous ? null : VmOperations.DUMMY, null));
            }
            return start;
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /**
     * {@code do_mmap} of {@code file}: maps {@code len} bytes of it from page {@code pgoff} at
     * {@code addr} (0: anywhere) and lets the file's {@code ->mmap} set the vma up (its
     * {@code vm_ops}, its pages). The vma's flags come from {@code prot} ({@code VM_READ},
     * {@code VM_WRITE}, {@code VM_EXEC}), from {@code flags} ({@code MAP_SHARED}: {@code VM_SHARED
     * | VM_MAYSHARE}) and from the file's mode: every {@code VM_MAY*} is set, but a shared
     * mapping of a file not open for writing loses {@code VM_MAYWRITE} and {@code VM_SHARED}
     * (keeping {@code VM_MAYSHARE}), so it can never be made writable. The vma holds a file
     * reference ({@code get_file}) until it goes. When {@code ->mmap} fails the mapping is undone:
     * the pages the driver mapped are unmapped, its page tables freed, the reference dropped.
     *
     * @param prot {@code PROT_*} of {@link Mman}
     * @param flags {@code MAP_SHARED}, {@code MAP_SHARED_VALIDATE} or {@code MAP_PRIVATE}
     * @return the start address; {@code -EINVAL} (zero length, unaligned address, no map type),
     *     {@code -ENOMEM} (no room), {@code -EEXIST} (the fixed range is taken),
     *     {@code -EOVERFLOW} (the page offset wraps), {@code -EACCES} (a shared writable mapping
     *     of a file without {@code FMODE_WRITE}, any mapping of one without {@code FMODE_READ}),
     *     or the error of the file's {@code ->mmap} ({@code -ENODEV} when it has none)
     */
    public long mmap(MmStruct mm, File file, long addr, long len, int prot, int flags, long pgoff) {
        if (len == 0) {
            return EINVAL;
        }
        long size = MemMap.pageAlign(len);
        if (size == 0 || Long.compareUnsigned(size, taskSize) > 0) {
            return ENOMEM;
        }
        if (Long.compareUnsigned(pgoff + (size >>> MemMap.PAGE_SHIFT), pgoff) < 0) {
            return EOVERFLOW;
        }
        mm.mmapLock.writeLock().lock();
        try {
            long start = placeLocked(mm, addr, size);
            if (start < 0) {
                return start;
            }
            long vmFlags = fileVmFlags(file, prot, flags);
            if (vmFlags < 0) {
                return vmFlags;
            }
            Vma vma = new Vma(mm, start, start + size, vmFlags, pgoff, VmOperations.DUMMY, file.get());
            int ret = file.operations().mmap(file, vma);
            if (ret != 0) {
                vma.detachFile().put();
                Vma prev = mm.prevVmaLocked(start);
                Vma next = mm.findVmaLocked(start);
                unmapRegion(mm, List.of(vma), prev == null ? 0 : prev.end(), next == null ? 0 : next.start(), false);
                return ret;
            }
            mm.insertVma(vma);
            return start;
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /**
     * The vma flags {@code do_mmap} gives a mapping of {@code file}, or a negative errno.
     * (Flags are below bit 63, so the two cannot be confused, as with {@code IS_ERR_VALUE}.)
     */
    private static long fileVmFlags(File file, int prot, int flags) {
        long vmFlags = Mman.calcVmProtBits(prot) | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
        boolean writable = (file.mode() & File.FMODE_WRITE) != 0;
        int type = flags & Mman.MAP_TYPE;
        if (type == Mman.MAP_SHARED || type == Mman.MAP_SHARED_VALIDATE) {
            if ((prot & Mman.PROT_WRITE) != 0 && !writable) {
                return EACCES;
            }
            vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
            if (!writable) {
                vmFlags &= ~(VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED);
            }
        } else if (type != Mman.MAP_PRIVATE) {
            return EINVAL;
        }
        if ((file.mode() & File.FMODE_READ) == 0) {
            return EACCES;
        }
        return vmFlags;
    }

    /**
     * Where a mapping of {@code size} (page aligned, at most {@code TASK_SIZE}) goes: at
     * {@code addr} if it is free there, else the lowest free range; or {@code -EINVAL},
     * {@code -ENOMEM}, {@code -EEXIST}. The mmap lock is held for write.
     */
    private long placeLocked(MmStruct mm, long addr, long size) {
        mm.livePgd();
        if (addr == 0) {
            long found = unmappedArea(mm, size);
            return found == 0 ? ENOMEM : found;
        }
        if ((addr & ~MemMap.PAGE_MASK) != 0) {
            return EINVAL;
        }
        if (Long.compareUnsigned(addr, taskSize - size) > 0) {
            return ENOMEM;
        }
        Vma clash = mm.findVmaLocked(addr);
        return clash != null && clash.start() < addr + size ? EEXIST : addr;
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
     * {@code munmap}: unmaps {@code [start, start + len)}, splitting vmas that straddle an end
     * (the part split off is a new vma: {@code vm_ops->open} is called on it, and it holds a
     * file reference of its own; the upper part's {@code vm_pgoff} is advanced); zaps their PTEs
     * (each page: rmap removed, reference dropped through the gather), frees the page tables
     * that no vma outside the range still needs, then removes each vma ({@code vm_ops->close},
     * {@code fput} of its file).
     *
     * @return 0 (also when nothing was mapped), {@code -EINVAL} for an unaligned start, a zero
     *     length or a range beyond {@code TASK_SIZE}
     */
    public int munmap(MmStruct mm, long start, long len) {
        if ((start & ~MemMap.PAGE_MASK) != 0 || Long.compareUnsigned(start, taskSize) > 0
                || Long.compareUnsigned(len, taskSize - start) > 0) {
            return (int) EINVAL;
        }
        len = MemMap.pageAlign(len);
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
            removeVmas(mm, doomed);
            return 0;
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /**
     * The step of fork's {@code dup_mmap} for one driver vma of the parent: a
     * {@code VM_DONTCOPY} vma is skipped; any other is copied into {@code newMm} (same range,
     * flags without {@code VM_LOCKED}, pgoff, {@code vm_ops}, private data, a file reference of
     * its own) and, for a {@code VM_PFNMAP}/{@code VM_MIXEDMAP} vma (what {@code vm_insert_page}
     * and {@code remap_vmalloc_range} set), its pages are mapped again in the child
     * ({@code copy_page_range}: a reference and a mapcount per page, the child's rss), in page
     * tables allocated while {@code child} is current, so that they are charged in its context;
     * then {@code vm_ops->open} is called on the copy. Anonymous vmas are {@code dupMm}'s
     * ({@code anon_vma_fork}, copy on write), not this step's.
     *
     * @param old a vma of the parent's mm, not anonymous
     * @param newMm the child's mm, from {@link #mmAlloc}
     * @param child the child task, current while its page tables are allocated
     * @return 0, or {@code -ENOMEM} when a page table cannot be had; the copy is in
     *     {@code newMm} (opened, with the entries copied so far) either way, and the caller
     *     tears the child's mm down with {@link #mmput} on failure, as {@code dup_mm} does
     */
    public int dupVma(Vma old, MmStruct newMm, TaskStruct child) {
        if (old.isAnonymous()) {
            throw new IllegalArgumentException("dupVma copies driver vmas; " + old + " is dupMm's");
        }
        if (old.hasFlags(VmFlags.VM_DONTCOPY)) {
            return 0;
        }
        MmStruct oldMm = old.mm();
        oldMm.mmapLock.writeLock().lock();
        newMm.mmapLock.writeLock().lock();
        try {
            newMm.livePgd();
            Vma copy = old.dup(newMm);
            copy.clearFlags(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT);
            newMm.insertVma(copy);
            int ret = 0;
            if ((old.flags() & (VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) != 0) {
                try (Tasks.TaskScope scope = tasks.enter(child)) {
                    ret = memory.copyPageRange(copy, old);
                }
            }
            copy.vmOps().open(copy);
            return ret;
        } finally {
            newMm.mmapLock.writeLock().unlock();
            oldMm.mmapLock.writeLock().unlock();
        }
    }

    /** {@code exit_mmap}: everything goes; floor and ceiling are the whole address space. */
    private void exitMmap(MmStruct mm) {
        mm.mmapLock.writeLock().lock();
        try {
            List<Vma> all = new ArrayList<>(mm.vmaMap().values());
            unmapRegion(mm, all, 0, 0, true);
            removeVmas(mm, all);
        } finally {
            mm.mmapLock.writeLock().unlock();
        }
    }

    /** {@code unmap_region}: the PTEs of {@code vmas} zapped, their page tables freed. */
    private void unmapRegion(MmStruct mm, List<Vma> vmas, long floor, long ceiling, boolean fullmm) {
        MmuGather tlb = tlbGatherMmu(mm, fullmm);
        if (!vmas.isEmpty()) {
            memory.unmapVmas(tlb, vmas);
            memory.freePgtables(tlb, vmas.get(0).start(), vmas.get(vmas.size() - 1).end(), floor, ceiling);
        }
        tlb.finish();
    }

    /**
     * {@code remove_vma_list}: each vma leaves the mm and its anon_vma, then
     * {@code remove_vma}: {@code vm_ops->close}, then {@code fput} of its file.
     */
    private void removeVmas(MmStruct mm, List<Vma> vmas) {
        for (Vma vma : vmas) {
            mm.removeVma(vma);
            memory.unlinkAnonVma(vma);
            if (!vma.isAnonymous()) {
                vma.vmOps().close(vma);
            }
            File file = vma.detachFile();
            if (file != null) {
                file.put();
            }
        }
    }

    /**
     * {@code __split_vma}: cuts {@code vma} at {@code addr}; the vma object keeps the upper part
     * when {@code newBelow}, the lower part otherwise. The new vma ({@code vm_area_dup}) shares
     * the anon_vma, holds a reference to the file and is opened ({@code vm_ops->open}); the
     * upper part's {@code vm_pgoff} moves on by the pages of the lower one.
     */
    static void splitVma(MmStruct mm, Vma vma, long addr, boolean newBelow) {
        long lowerPages = (addr - vma.start()) >>> MemMap.PAGE_SHIFT;
        Vma fresh = vma.dup(mm);
        if (newBelow) {
            fresh.setEnd(addr);
        } else {
            fresh.setStart(addr);
            fresh.setPgoff(vma.pgoff() + lowerPages);
        }
        AnonVma anonVma = vma.anonVma();
        if (anonVma != null) {
            anonVma.get();
            fresh.setAnonVma(anonVma);
        }
        if (!fresh.isAnonymous()) {
            fresh.vmOps().open(fresh);
        }
        mm.removeVma(vma);
        if (newBelow) {
            vma.setStart(addr);
            vma.setPgoff(vma.pgoff() + lowerPages);
        } else {
            vma.setEnd(addr);
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
}
