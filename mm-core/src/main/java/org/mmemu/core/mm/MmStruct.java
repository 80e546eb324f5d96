package org.mmemu.core.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.mmemu.core.KernelBug;

/**
 * An emulated {@code mm_struct}: a user address space. It holds the pgd (from the
 * {@link PageTableAllocator}), the vmas sorted by address, the rss counters, the page-table
 * byte count and the user count. {@link AddressSpaces} creates, maps, unmaps and tears it down;
 * {@link MemoryMapping} fills it.
 *
 * <p>Locks, as in the kernel: the mmap lock (read for inserting and faulting, write for mmap,
 * munmap and teardown) and the page-table lock, under which every entry is read and written.
 */
public final class MmStruct {
    /** {@code MM_FILEPAGES}: resident file-backed pages (and pages drivers insert). */
    public static final int MM_FILEPAGES = 0;
    /** {@code MM_ANONPAGES}: resident anonymous pages. */
    public static final int MM_ANONPAGES = 1;
    /** {@code MM_SWAPENTS}: swap entries (never used by the emulator). */
    public static final int MM_SWAPENTS = 2;
    /** {@code MM_SHMEMPAGES}: resident shmem pages (swap-backed non-anonymous pages). */
    public static final int MM_SHMEMPAGES = 3;
    /** {@code NR_MM_COUNTERS}. */
    public static final int NR_MM_COUNTERS = 4;

    /** {@code resident_page_types}: the counter names check_mm prints. */
    static final String[] RESIDENT_PAGE_TYPES = {
        "MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES",
    };

    final ReentrantReadWriteLock mmapLock = new ReentrantReadWriteLock();
    final Object pageTableLock = new Object();

    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private final AtomicLongArray rss = new AtomicLongArray(NR_MM_COUNTERS);
    private final AtomicLong pgtablesBytes = new AtomicLong();
    private final AtomicInteger users = new AtomicInteger(1);
    private volatile long address;
    private volatile PageTable pgd;
    private volatile Object archContext;

    /**
     * A bare address space: no pgd, no kernel address, one user. Only
     * {@link AddressSpaces#mmAlloc} makes one that can be mapped; a bare one serves where only
     * a task's {@code mm} slot matters, and the mm paths refuse it as they refuse a freed mm.
     */
    public MmStruct() {
    }

    /** The mm's emulated kernel address (what {@code %p} of the mm prints). */
    public long address() {
        return address;
    }

    void setAddress(long address) {
        this.address = address;
    }

    /** {@code mm->pgd}; null once the mm is freed. */
    public PageTable pgd() {
        return pgd;
    }

    void setPgd(PageTable pgd) {
        this.pgd = pgd;
    }

    /** The pgd, or a {@link KernelBug} for an mm that has none (freed, or never set up). */
    PageTable livePgd() {
        PageTable p = pgd;
        if (p == null) {
            throw new KernelBug("BUG: " + this + " has no page tables: it was freed by its last mmput,"
                    + " or not made by mm_alloc (use after free)");
        }
        return p;
    }

    /**
     * {@code mm->context}: the architecture's own per-mm data (s390's {@code pgtable_list} and
     * {@code alloc_pgste}), or null. The {@link PageTableAllocator} sets it in
     * {@link PageTableAllocator#allocPgd}, as {@code init_new_context} does before the pgd exists.
     */
    public Object archContext() {
        return archContext;
    }

    /** Sets {@code mm->context}; only the bound {@link PageTableAllocator} does. */
    public void setArchContext(Object context) {
        this.archContext = context;
    }

    /** {@code get_mm_counter(mm, member)}. */
    public long rss(int member) {
        return rss.get(member);
    }

    void addRss(int member, long delta) {
        rss.addAndGet(member, delta);
    }

    /** {@code mm_pgtables_bytes}: the bytes of page tables below the pgd. */
    public long pgtablesBytes() {
        return pgtablesBytes.get();
    }

    void addPgtablesBytes(long delta) {
        pgtablesBytes.addAndGet(delta);
    }

    /** {@code mm_users}. */
    public int users() {
        return users.get();
    }

    int incUsers() {
        return users.incrementAndGet();
    }

    int decUsers() {
        return users.decrementAndGet();
    }

    /** {@code find_vma}: the first vma ending above {@code addr}, or null. */
    public Vma findVma(long addr) {
        mmapLock.readLock().lock();
        try {
            return findVmaLocked(addr);
        } finally {
            mmapLock.readLock().unlock();
        }
    }

    /** {@code vma_lookup}: the vma containing {@code addr}, or null. */
    public Vma vmaLookup(long addr) {
        Vma vma = findVma(addr);
        return vma != null && vma.start() <= addr ? vma : null;
    }

    /** The vmas in address order (a snapshot). */
    public List<Vma> vmas() {
        mmapLock.readLock().lock();
        try {
            return new ArrayList<>(vmas.values());
        } finally {
            mmapLock.readLock().unlock();
        }
    }

    /** {@code mm->map_count}. */
    public int mapCount() {
        mmapLock.readLock().lock();
        try {
            return vmas.size();
        } finally {
            mmapLock.readLock().unlock();
        }
    }

    // ---- under the mmap lock held for write (AddressSpaces) ---------------------------------

    Vma findVmaLocked(long addr) {
        Map.Entry<Long, Vma> below = vmas.floorEntry(addr);
        if (below != null && below.getValue().end() > addr) {
            return below.getValue();
        }
        Map.Entry<Long, Vma> above = vmas.higherEntry(addr);
        return above == null ? null : above.getValue();
    }

    /** The vma ending at or below {@code addr} that is closest to it ({@code prev}), or null. */
    Vma prevVmaLocked(long addr) {
        Map.Entry<Long, Vma> e = vmas.lowerEntry(addr);
        return e != null && e.getValue().end() <= addr ? e.getValue() : null;
    }

    NavigableMap<Long, Vma> vmaMap() {
        return vmas;
    }

    void insertVma(Vma vma) {
        vmas.put(vma.start(), vma);
    }

    /** Takes {@code vma} out of the tree (nothing if it was never linked: a failed mmap). */
    void removeVma(Vma vma) {
        vmas.remove(vma.start(), vma);
    }

    @Override
    public String toString() {
        return "mm@" + Long.toHexString(address);
    }
}
