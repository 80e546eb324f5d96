package org.mmemu.core.mm;

import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.Page;
import org.mmemu.core.rcu.Rcu;

/**
 * {@code struct mmu_gather} (mm/mmu_gather.c): collects what a teardown unhooks from the page
 * tables so that it is freed only after the TLB flush.
 *
 * <ul>
 *   <li>{@link #removePage} ({@code __tlb_remove_page}): pages, unmapped user pages and
 *       page-table pages alike, are batched and dropped with {@code release_pages} (one
 *       reference each) when the batch fills or the gather flushes;</li>
 *   <li>{@link #removeTable} ({@code tlb_remove_table}): tables of an allocator that frees them
 *       after an RCU grace period; at the flush the batch goes to {@code call_rcu}, whose
 *       callback calls the allocator's {@link PageTableAllocator#rcuFreeTable} for each.</li>
 * </ul>
 *
 * <p>One gather serves one teardown on one thread, as the kernel's lives on the stack.
 */
public final class MmuGather {
    /** {@code MAX_GATHER_BATCH}: page pointers in one page-sized batch. */
    public static final int MAX_GATHER_BATCH = 510;
    /** {@code MAX_TABLE_BATCH}: table pointers in one page-sized batch. */
    public static final int MAX_TABLE_BATCH = 509;

    private final MmStruct mm;
    private final boolean fullmm;
    private final PageRefs refs;
    private final Rcu rcu;
    private final PageTableAllocator allocator;
    private final List<Page> pages = new ArrayList<>();
    private List<PageTable> tables = new ArrayList<>();

    /**
     * {@code tlb_gather_mmu} ({@code fullmm}: {@code tlb_gather_mmu_fullmm}, the whole mm goes).
     */
    public MmuGather(MmStruct mm, boolean fullmm, PageRefs refs, Rcu rcu, PageTableAllocator allocator) {
        this.mm = mm;
        this.fullmm = fullmm;
        this.refs = refs;
        this.rcu = rcu;
        this.allocator = allocator;
    }

    public MmStruct mm() {
        return mm;
    }

    /** Whether the whole address space is being torn down ({@code tlb->fullmm}). */
    public boolean fullmm() {
        return fullmm;
    }

    /** {@code tlb_remove_page}: drops the page's reference after the flush. */
    public void removePage(Page page) {
        pages.add(page);
        if (pages.size() >= MAX_GATHER_BATCH) {
            flush();
        }
    }

    /** {@code tlb_remove_table}: frees the table through RCU after the flush. */
    public void removeTable(PageTable table) {
        tables.add(table);
        if (tables.size() >= MAX_TABLE_BATCH) {
            tableFlush();
        }
    }

    /** Pages batched and not yet released. */
    public int pendingPages() {
        return pages.size();
    }

    /** Tables batched and not yet handed to RCU. */
    public int pendingTables() {
        return tables.size();
    }

    /**
     * {@code tlb_flush_mmu}: (the TLB flush, a no-op here), the table batch to RCU, then the
     * page batch to {@code release_pages}.
     */
    public void flush() {
        tableFlush();
        if (!pages.isEmpty()) {
            refs.releasePages(pages);
            pages.clear();
        }
    }

    /** {@code tlb_finish_mmu}. */
    public void finish() {
        flush();
    }

    /** {@code tlb_table_flush}: {@code call_rcu(tlb_remove_table_rcu)} on the batch. */
    private void tableFlush() {
        if (tables.isEmpty()) {
            return;
        }
        List<PageTable> batch = tables;
        tables = new ArrayList<>();
        rcu.callRcu(() -> {
            for (PageTable t : batch) {
                allocator.rcuFreeTable(t);
            }
        });
    }
}
