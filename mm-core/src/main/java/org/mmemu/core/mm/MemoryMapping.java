package org.mmemu.core.mm;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.Gfp;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Tasks;

/**
 * Putting pages into user page tables and taking them out (mm/memory.c): {@code vm_insert_page},
 * the anonymous fault, {@code follow_page}, and the {@code unmap_vmas}/{@code free_pgtables}
 * steps of munmap and exit. Functions return 0 or a negative errno, as the kernel's do.
 *
 * <p>{@code vm_insert_page} refuses what the era's {@link InsertPagePolicy} says. A page it
 * lets through gets a reference, an rss count and a {@code _mapcount} increment, whatever the
 * word held: before 5.1 a typed page is mapped and its type word corrupted, and unmapping it
 * later prints the kernel's "Bad page map" report because the mapcount reads negative.
 */
public final class MemoryMapping {
    private static final int EFAULT = Errno.EFAULT.negative();
    private static final int EINVAL = Errno.EINVAL.negative();
    private static final int EBUSY = Errno.EBUSY.negative();
    private static final int ENOMEM = Errno.ENOMEM.negative();

    private final MemMap memMap;
    private final PageAllocator allocator;
    private final PageRefs refs;
    private final PageTypes types;
    private final InsertPagePolicy insertPolicy;
    private final Rmap rmap;
    private final KernelObjects kernelObjects;
    private final KernelLog log;
    private final Tasks tasks;
    private final DumpPage dumpPage;
    private final PageTableWalk walk;

    @Inject
    public MemoryMapping(MemMap memMap, PageAllocator allocator, PageRefs refs, PageTypes types,
                         PageTableAllocator tables, InsertPagePolicy insertPolicy, Rmap rmap,
                         KernelObjects kernelObjects, KernelLog log, Tasks tasks, DumpPage dumpPage) {
        this.memMap = memMap;
        this.allocator = allocator;
        this.refs = refs;
        this.types = types;
        this.insertPolicy = insertPolicy;
        this.rmap = rmap;
        this.kernelObjects = kernelObjects;
        this.log = log;
        this.tasks = tasks;
        this.dumpPage = dumpPage;
        this.walk = new PageTableWalk(tables);
    }

    /**
     * {@code vm_insert_page}: maps {@code page} at {@code addr} of a driver's vma.
     *
     * @return 0; {@code -EFAULT} outside the vma; {@code -EINVAL} for a page with no
     *     reference or one the policy refuses (left untouched); {@code -ENOMEM} when a page
     *     table cannot be allocated; {@code -EBUSY} when something is mapped there already
     * @throws KernelBug for a {@code VM_PFNMAP} vma ({@code BUG_ON} in the kernel)
     */
    public int vmInsertPage(Vma vma, long addr, Page page) {
        if (!vma.contains(addr)) {
            return EFAULT;
        }
        if (refs.pageCount(page) == 0) {
            return EINVAL;
        }
        MmStruct mm = vma.mm();
        mm.mmapLock.readLock().lock();
        try {
            if (!vma.hasFlags(VmFlags.VM_MIXEDMAP)) {
                if (vma.hasFlags(VmFlags.VM_PFNMAP)) {
                    throw new KernelBug("kernel BUG at mm/memory.c: vm_insert_page:"
                            + " BUG_ON(vma->vm_flags & VM_PFNMAP) for " + vma);
                }
                vma.addFlags(VmFlags.VM_MIXEDMAP);
            }
            return insertPage(vma, addr, page);
        } finally {
            mm.mmapLock.readLock().unlock();
        }
    }

    /** {@code insert_page}: validate, find or make the PTE, take the page. */
    private int insertPage(Vma vma, long addr, Page page) {
        Page head = CompoundHead.compoundHead(memMap, page);
        if (insertPolicy.refuses(page, head, types)) {
            return EINVAL;
        }
        MmStruct mm = vma.mm();
        PageTable pteTable = walk.allocPteTable(mm, addr);
        if (pteTable == null) {
            return ENOMEM;
        }
        int i = walk.geometry().index(addr, 0);
        synchronized (mm.pageTableLock) {
            if (!Pte.none(pteTable.pte(i))) {
                return EBUSY;
            }
            refs.getPage(page);
            mm.addRss(rmap.mmCounterFile(page), 1);
            rmap.pageAddFileRmap(page);
            pteTable.setPte(i, Pte.mkPte(page, Pte.vmGetPageProt(vma.flags())));
        }
        return 0;
    }

    /**
     * An anonymous write fault at {@code addr} ({@code do_anonymous_page}): a zeroed page from
     * {@code GFP_HIGHUSER_MOVABLE}, made anonymous and mapped. A present PTE is left alone.
     *
     * @return 0; {@code -EFAULT} outside the vma or in a vma that is not anonymous (where the
     *     task would get SIGSEGV or SIGBUS); {@code -ENOMEM} when out of memory (the OOM case)
     */
    public int handleAnonFault(Vma vma, long addr) {
        if (!vma.contains(addr) || !vma.isAnonymous()) {
            return EFAULT;
        }
        MmStruct mm = vma.mm();
        mm.mmapLock.readLock().lock();
        try {
            PageTable pteTable = walk.allocPteTable(mm, addr);
            if (pteTable == null) {
                return ENOMEM;
            }
            int i = walk.geometry().index(addr, 0);
            synchronized (mm.pageTableLock) {
                if (!Pte.none(pteTable.pte(i))) {
                    return 0;
                }
            }
            Page page = allocator.allocPage(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_ZERO);
            if (page == null) {
                return ENOMEM;
            }
            long anonVma = anonVmaPrepare(vma);
            synchronized (mm.pageTableLock) {
                if (Pte.none(pteTable.pte(i))) {
                    rmap.pageAddNewAnonRmap(page, anonVma);
                    mm.addRss(MmStruct.MM_ANONPAGES, 1);
                    pteTable.setPte(i, anonPte(vma, page, Pte.mkPte(page, Pte.vmGetPageProt(vma.flags()))));
                    return 0;
                }
            }
            refs.putPage(page);
            return 0;
        } finally {
            mm.mmapLock.readLock().unlock();
        }
    }

    /**
     * The entry of an anonymous page: writable in a writable vma while the page is mapped only
     * here, as the write fault ({@code do_anonymous_page}) and mprotect
     * ({@code can_change_pte_writable}) make it; {@code pte} otherwise.
     */
    private static long anonPte(Vma vma, Page page, long pte) {
        boolean exclusive = MapcountWord.pageMapcount(page.mapcountWord()) == 1;
        return vma.hasFlags(VmFlags.VM_WRITE) && exclusive ? Pte.mkWrite(pte) : pte;
    }

    /**
     * {@code change_protection}: the PTEs of {@code [start, end)} of {@code vma} get the
     * protection of its (new) flags ({@link Pte#vmGetPageProt}), keeping their frames. Called by
     * mprotect under the mmap lock held for write.
     */
    void changeProtection(Vma vma, long start, long end) {
        long prot = Pte.vmGetPageProt(vma.flags());
        MmStruct mm = vma.mm();
        synchronized (mm.pageTableLock) {
            walk.forEachPte(mm, start, end, (table, index, addr, pte) -> {
                long updated = Pte.modify(pte, prot);
                Page page = memMap.pfnToPage(Pte.pfn(pte));
                table.setPte(index, rmap.pageAnon(page) ? anonPte(vma, page, updated) : updated);
            });
        }
    }

    /**
     * {@code copy_page_range} for a driver vma ({@code VM_PFNMAP}/{@code VM_MIXEDMAP}) at fork:
     * each present PTE of {@code src} is set in {@code dst}'s mm, in page tables allocated there
     * (by the current task, whose context pays for them), and each page gains what a mapping
     * holds ({@code copy_present_pte}: {@code get_page}, {@code page_dup_rmap}, the rss count).
     * A driver's PTE is never writable in a private vma ({@link Pte#vmGetPageProt}), so the
     * copy-on-write protection of both entries has nothing to do. Both mmap locks are held for
     * write.
     *
     * @return 0, or {@code -ENOMEM} when a page table cannot be had (the entries copied so far
     *     stay, for the caller's teardown of the child)
     */
    int copyPageRange(Vma dst, Vma src) {
        MmStruct srcMm = src.mm();
        MmStruct dstMm = dst.mm();
        List<long[]> present = new ArrayList<>();
        synchronized (srcMm.pageTableLock) {
            walk.forEachPte(srcMm, src.start(), src.end(),
                    (table, index, addr, pte) -> present.add(new long[] {addr, pte}));
        }
        for (long[] entry : present) {
            PageTable table = walk.allocPteTable(dstMm, entry[0]);
            if (table == null) {
                return ENOMEM;
            }
            Page page = memMap.pfnToPage(Pte.pfn(entry[1]));
            synchronized (dstMm.pageTableLock) {
                refs.getPage(page);
                rmap.pageDupRmap(page);
                dstMm.addRss(rmap.mmCounter(page), 1);
                table.setPte(walk.geometry().index(entry[0], 0), entry[1]);
            }
        }
        return 0;
    }

    /** {@code follow_page}: the page mapped at {@code addr} of the vma, or null. */
    public Page followPage(Vma vma, long addr) {
        if (!vma.contains(addr)) {
            return null;
        }
        MmStruct mm = vma.mm();
        mm.mmapLock.readLock().lock();
        try {
            synchronized (mm.pageTableLock) {
                long pte = walk.pte(mm, addr);
                return Pte.none(pte) ? null : memMap.pfnToPage(Pte.pfn(pte));
            }
        } finally {
            mm.mmapLock.readLock().unlock();
        }
    }

    /** The geometry of the bound page-table allocator. */
    public PageTableGeometry geometry() {
        return walk.geometry();
    }

    /** {@code anon_vma_prepare}: the vma's anon_vma address, made on first use. */
    private long anonVmaPrepare(Vma vma) {
        synchronized (vma) {
            AnonVma anonVma = vma.anonVma();
            if (anonVma == null) {
                anonVma = new AnonVma();
                anonVma.setAddress(kernelObjects.register(anonVma));
                vma.setAnonVma(anonVma);
            }
            return anonVma.address();
        }
    }

    // ---- teardown (callers hold the mmap lock for write) ------------------------------------

    /** {@code unmap_vmas}: zaps every PTE of each vma into the gather. */
    void unmapVmas(MmuGather tlb, List<Vma> vmas) {
        MmStruct mm = tlb.mm();
        synchronized (mm.pageTableLock) {
            for (Vma vma : vmas) {
                walk.forEachPte(mm, vma.start(), vma.end(),
                        (table, index, addr, pte) -> zapPte(tlb, vma, table, index, addr, pte));
            }
        }
    }

    /** {@code free_pgtables} over {@code [start, end)} between the neighbours floor and ceiling. */
    void freePgtables(MmuGather tlb, long start, long end, long floor, long ceiling) {
        walk.freePgdRange(tlb, start, end, floor, ceiling);
    }

    /** One PTE of {@code zap_pte_range}. */
    private void zapPte(MmuGather tlb, Vma vma, PageTable table, int index, long addr, long pte) {
        table.setPte(index, 0);
        Page page = memMap.pfnToPage(Pte.pfn(pte));
        tlb.mm().addRss(rmap.mmCounter(page), -1);
        rmap.pageRemoveRmap(page);
        if (MapcountWord.pageMapcount(page.mapcountWord()) < 0) {
            printBadPte(vma, addr, pte, Pte.tableEntry(table), page);
        }
        tlb.removePage(page);
    }

    /** {@code print_bad_pte}: a mapping whose page's mapcount went negative. */
    private void printBadPte(Vma vma, long addr, long pte, long pmd, Page page) {
        log.printk(String.format(Locale.ROOT, "BUG: Bad page map in process %s  pte:%08x pmd:%08x",
                tasks.current().comm(), pte, pmd));
        log.printk(dumpPage.dump(page, "bad pte"));
        AnonVma anonVma = vma.anonVma();
        log.printk(String.format(Locale.ROOT, "addr:%016x vm_flags:%08x anon_vma:%016x mapping:%016x index:%x",
                addr, vma.flags(), anonVma == null ? 0 : anonVma.address(), 0L,
                (addr - vma.start()) >>> MemMap.PAGE_SHIFT));
        if (!log.isTainted(KernelLog.TAINT_BAD_PAGE)) {
            log.printk("Disabling lock debugging due to kernel taint");
        }
        log.addTaint(KernelLog.TAINT_BAD_PAGE);
    }

    /** Drops a vma's use of its anon_vma ({@code unlink_anon_vmas}). */
    void unlinkAnonVma(Vma vma) {
        AnonVma anonVma = vma.anonVma();
        if (anonVma != null && anonVma.put()) {
            kernelObjects.free(anonVma.address());
        }
    }
}
