package org.mmemu.core.mm;

import org.mmemu.core.page.MemMap;

/**
 * Walking, populating and freeing one mm's page tables (the generic parts of mm/memory.c:
 * {@code pte_offset_map}, {@code __pte_alloc} and friends, {@code free_pgd_range}), for any
 * {@link PageTableGeometry}. Entries are read and written under the mm's page-table lock.
 */
final class PageTableWalk {
    private final PageTableAllocator allocator;
    private final PageTableGeometry geo;

    PageTableWalk(PageTableAllocator allocator) {
        this.allocator = allocator;
        this.geo = allocator.geometry();
    }

    PageTableGeometry geometry() {
        return geo;
    }

    /** A present PTE met by {@link #forEachPte}. */
    @FunctionalInterface
    interface PteVisitor {
        void visit(PageTable pteTable, int index, long addr, long pte);
    }

    /** The PTE table covering {@code addr}, or null if a level is missing. Caller holds the ptl. */
    PageTable lookupPteTable(MmStruct mm, long addr) {
        PageTable t = mm.livePgd();
        for (int level = geo.top(); level > 0 && t != null; level--) {
            t = t.table(geo.index(addr, level));
        }
        return t;
    }

    /** The PTE at {@code addr}, 0 ({@code pte_none}) if a level is missing. Caller holds the ptl. */
    long pte(MmStruct mm, long addr) {
        PageTable pteTable = lookupPteTable(mm, addr);
        return pteTable == null ? 0 : pteTable.pte(geo.index(addr, 0));
    }

    /**
     * The PTE table covering {@code addr}, allocating the missing levels on the way down
     * ({@code __pud_alloc}, {@code __pmd_alloc}, {@code __pte_alloc}); null when an allocation
     * failed (the levels already added stay, as in the kernel). Each table is allocated without
     * the page-table lock and installed under it; one that lost the race to another thread is
     * freed at once with {@link PageTableAllocator#freeTable}.
     */
    PageTable allocPteTable(MmStruct mm, long addr) {
        PageTable t = mm.livePgd();
        for (int level = geo.top(); level > 0; level--) {
            int i = geo.index(addr, level);
            PageTable next;
            synchronized (mm.pageTableLock) {
                next = t.table(i);
            }
            if (next == null) {
                PageTable fresh = allocator.allocTable(mm, level - 1);
                if (fresh == null) {
                    return null;
                }
                synchronized (mm.pageTableLock) {
                    next = t.table(i);
                    if (next == null) {
                        t.setTable(i, fresh);
                        mm.addPgtablesBytes(geo.tableBytes(level - 1));
                        next = fresh;
                        fresh = null;
                    }
                }
                if (fresh != null) {
                    allocator.freeTable(mm, fresh);
                }
            }
            t = next;
        }
        return t;
    }

    /** Visits every present PTE in {@code [start, end)} (page aligned). Caller holds the ptl. */
    void forEachPte(MmStruct mm, long start, long end, PteVisitor visitor) {
        if (start != end) {
            walk(mm.livePgd(), geo.top(), start, end, visitor);
        }
    }

    private void walk(PageTable table, int level, long addr, long end, PteVisitor visitor) {
        if (level == 0) {
            for (long a = addr; a != end; a += MemMap.PAGE_SIZE) {
                int i = geo.index(a, 0);
                long pte = table.pte(i);
                if (!Pte.none(pte)) {
                    visitor.visit(table, i, a, pte);
                }
            }
            return;
        }
        long span = 1L << geo.shift(level);
        long a = addr;
        do {
            long next = addrEnd(a, end, span);
            PageTable child = table.table(geo.index(a, level));
            if (child != null) {
                walk(child, level - 1, a, next, visitor);
            }
            a = next;
        } while (a != end);
    }

    /**
     * {@code free_pgd_range}: frees the tables below the pgd that map only addresses in
     * {@code [addr, end)} and nothing at or above {@code ceiling} or below {@code floor} (the
     * neighbouring vmas; a ceiling of 0 means the top of the address space). A table that
     * still serves a neighbour stays. Tables go to the allocator's {@code free_tlb} path.
     */
    void freePgdRange(MmuGather tlb, long addr, long end, long floor, long ceiling) {
        long pteSpan = geo.tableSpan(0);
        long mask = -pteSpan;
        addr &= mask;
        if (ult(addr, floor)) {
            addr += pteSpan;
            if (addr == 0) {
                return;
            }
        }
        if (ceiling != 0) {
            ceiling &= mask;
            if (ceiling == 0) {
                return;
            }
        }
        if (ult(ceiling - 1, end - 1)) {
            end -= pteSpan;
        }
        if (ult(end - 1, addr)) {
            return;
        }
        MmStruct mm = tlb.mm();
        synchronized (mm.pageTableLock) {
            freeTables(tlb, null, 0, mm.livePgd(), geo.top(), addr, end, floor, ceiling);
        }
    }

    /**
     * {@code free_pmd_range}, {@code free_pud_range}, ... for the table {@code table} of
     * {@code level} (at least 1), referenced from {@code parent[parentIndex]} (null for the
     * pgd): frees the tables below it in range, then the table itself if its whole span lies
     * between floor and ceiling.
     */
    private void freeTables(MmuGather tlb, PageTable parent, int parentIndex, PageTable table, int level,
                            long addr, long end, long floor, long ceiling) {
        long start = addr;
        long span = 1L << geo.shift(level);
        long a = addr;
        do {
            long next = addrEnd(a, end, span);
            int i = geo.index(a, level);
            PageTable child = table.table(i);
            if (child != null) {
                if (level == 1) {
                    table.setTable(i, null);
                    release(tlb, child);
                } else {
                    freeTables(tlb, table, i, child, level - 1, a, next, floor, ceiling);
                }
            }
            a = next;
        } while (a != end);

        if (parent == null) {
            return;
        }
        long mask = -geo.tableSpan(level);
        start &= mask;
        if (ult(start, floor)) {
            return;
        }
        if (ceiling != 0) {
            ceiling &= mask;
            if (ceiling == 0) {
                return;
            }
        }
        if (ult(ceiling - 1, end - 1)) {
            return;
        }
        assert table.isEmpty() : table + " freed with entries left: a vma still maps its span";
        parent.setTable(parentIndex, null);
        release(tlb, table);
    }

    private void release(MmuGather tlb, PageTable table) {
        tlb.mm().addPgtablesBytes(-geo.tableBytes(table.level()));
        allocator.freeTableTlb(tlb, table);
    }

    /** {@code pXd_addr_end}: the next entry boundary after {@code addr}, or {@code end}. */
    static long addrEnd(long addr, long end, long span) {
        long boundary = (addr + span) & -span;
        return ult(boundary - 1, end - 1) ? boundary : end;
    }

    /** Unsigned {@code a < b}, as the kernel compares {@code unsigned long} addresses. */
    private static boolean ult(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }
}
