package org.mmemu.core.alloc;

import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_HIGHMEM;
import static org.mmemu.core.page.Gfp.__GFP_NOFAIL;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import java.util.BitSet;
import java.util.Locale;
import org.mmemu.core.KernelBug;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageList;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Jiffies;
import org.mmemu.core.sched.PerCpu;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * The page allocator's entry points (mm/page_alloc.c): {@code alloc_pages},
 * {@code __get_free_pages}, {@code __free_pages}, {@code free_pages}, and the internal free
 * paths the refcounting code ends in.
 *
 * <p>Order-0 pages come from and go to the calling CPU's per-CPU list, which is refilled from
 * and drained to the buddy in batches under the zone lock; larger orders take the zone lock
 * directly. With the hook keys off, neither path does any accounting work and neither
 * allocates a Java object.
 *
 * <p>An allocation that cannot be satisfied returns null (and logs the kernel's
 * "page allocation failure" warning unless {@code __GFP_NOWARN}, in the era's format and as
 * often as its ratelimit lets through: see {@link PageAllocTexts}). With {@code __GFP_NOFAIL}
 * the kernel would retry for ever; the emulator throws a {@link KernelBug} saying so instead.
 */
public final class PageAllocator {
    private final MemMap memMap;
    private final Zone zone;
    private final Cpus cpus;
    private final PerCpu<PerCpuPages> pcp;
    private final FreePageChecks checks;
    private final BadPageReporter badPages;
    private final PageHooks hooks;
    private final PageTypes types;
    private final VmStat vmStat;
    private final KernelLog log;
    private final Tasks tasks;
    private final GfpLayout gfpLayout;
    private final Jiffies jiffies;
    private final PageAllocTexts texts;
    /** {@code warn_alloc}'s {@code nopage_rs}. */
    private final RatelimitState nopageRs;
    private final PhysicalMemory ram;
    private final PagePoison poison;
    /** The WARN_ON_ONCE in {@code __alloc_pages_nodemask} has fired. */
    private volatile boolean warnedOrder;

    @Inject
    public PageAllocator(MemMap memMap, Cpus cpus, FreePageChecks checks, BadPageReporter badPages,
                         PageHooks hooks, PageTypes types, VmStat vmStat, KernelLog log,
                         Tasks tasks, GfpLayout gfpLayout, Jiffies jiffies, PageAllocTexts texts,
                         PhysicalMemory ram) {
        this.memMap = memMap;
        this.cpus = cpus;
        this.checks = checks;
        this.badPages = badPages;
        this.hooks = hooks;
        this.types = types;
        this.vmStat = vmStat;
        this.log = log;
        this.tasks = tasks;
        this.gfpLayout = gfpLayout;
        this.jiffies = jiffies;
        this.texts = texts;
        this.nopageRs = new RatelimitState(texts.warnFunction(), texts.warnInterval(), texts.warnBurst());
        this.ram = ram;
        this.poison = new PagePoison(memMap, ram, log, jiffies);
        this.zone = new Zone(0, "Normal", 0, memMap.nrPages(), memMap, types);
        this.pcp = cpus.perCpu(cpu -> new PerCpuPages(memMap));
        freeAllMemory();
    }

    /**
     * {@code memblock_free_all}: hands every initialised page to the buddy; of a deferred
     * mem_map, that is the top section alone, initialised now for the first allocations (the
     * zone initialises the rest as it needs it, or as someone names a pfn of it).
     */
    private void freeAllMemory() {
        memMap.setDeferredInit(zone.deferredInitHook());
        synchronized (zone) {
            if (memMap.firstInitPfn() == zone.endPfn()) {
                memMap.initSection();
            }
            zone.freePagesCore(memMap.firstInitPfn(), zone.endPfn());
        }
    }

    /** The (only) zone. */
    public Zone zone() {
        return zone;
    }

    /** The mem_map this allocator manages. */
    public MemMap memMap() {
        return memMap;
    }

    // ---- allocation ----------------------------------------------------------------------

    /** {@code alloc_pages(gfp, order)}: a block of {@code 2^order} pages, or null. */
    public Page allocPages(int gfp, int order) {
        if (order < 0 || order >= Zone.MAX_ORDER) {
            // WARN_ON_ONCE(!(gfp_mask & __GFP_NOWARN)): a bogus order warns once per boot.
            if ((gfp & __GFP_NOWARN) == 0 && !warnedOrder) {
                warnedOrder = true;
                Cpu cpu = cpus.current();
                log.printk(String.format(Locale.ROOT,
                        "WARNING: CPU: %d PID: %d at mm/page_alloc.c:4933 __alloc_pages_nodemask",
                        cpu.id(), cpu.current().pid()));
                log.addTaint(KernelLog.TAINT_WARN);
            }
            return null;
        }
        Cpu cpu = cpus.current();
        Page page = order == 0 ? rmqueuePcp(cpu) : rmqueueBuddy(order);
        if (page == null) {
            return allocationFailed(gfp, order);
        }
        prepNewPage(page, order, gfp);
        vmStat.mod(cpu, VmStatItem.PGALLOC, 1L << order);
        if (hooks.allocKey().isEnabled() && !hooks.runAlloc(cpu, page, gfp, order)) {
            freePages(page, order);
            return null;
        }
        return page;
    }

    /** {@code alloc_page(gfp)}. */
    public Page allocPage(int gfp) {
        return allocPages(gfp, 0);
    }

    /**
     * {@code __get_free_pages}: the direct-map address of a new block, or 0. Highmem has no
     * permanent address, so {@code __GFP_HIGHMEM} is dropped from the mask (4.16+; until then
     * the kernel had a VM_BUG_ON here).
     */
    public long getFreePages(int gfp, int order) {
        Page page = allocPages(gfp & ~__GFP_HIGHMEM, order);
        return page == null ? 0 : MemMap.pageAddress(page);
    }

    /** {@code get_zeroed_page}. */
    public long getZeroedPage(int gfp) {
        return getFreePages(gfp | __GFP_ZERO, 0);
    }

    private Page rmqueuePcp(Cpu cpu) {
        PageList list = pcp.get(cpu);
        while (true) {
            if (list.isEmpty()) {
                synchronized (zone) {
                    // rmqueue_bulk: refill a batch from the buddy.
                    for (int i = 0; i < zone.batch(); i++) {
                        Page p = zone.rmqueueSmallest(0);
                        if (p == null) {
                            break;
                        }
                        list.addTail(p);
                    }
                }
                if (list.isEmpty()) {
                    return null;
                }
            }
            Page page = list.pollFirst();
            if (!checks.checkNewPage(page)) {
                return page;
            }
        }
    }

    private Page rmqueueBuddy(int order) {
        while (true) {
            Page page;
            synchronized (zone) {
                page = zone.rmqueueSmallest(order);
            }
            if (page == null || !checkNewPages(page, order)) {
                return page;
            }
        }
    }

    private boolean checkNewPages(Page page, int order) {
        boolean bad = false;
        int pfn = (int) page.pfn();
        for (int i = 0; i < (1 << order); i++) {
            bad |= checks.checkNewPage(memMap.page(pfn + i));
        }
        if (bad) {
            badPages.blockLeaked(page, order);
        }
        return bad;
    }

    /**
     * {@code prep_new_page}: refcount 1, private cleared, the poison checked, the contents zeroed
     * for {@code __GFP_ZERO} (without, they read as the poison pattern), compound bookkeeping.
     */
    private void prepNewPage(Page page, int order, int gfp) {
        page.setPrivateWord(0);
        page.setRefcount(1);
        if (ram.anyTouched(page, 1 << order)) {
            poison.kernelUnpoisonPages(page, 1 << order);
        }
        if ((gfp & __GFP_ZERO) != 0) {
            ram.kernelInitPages(page, 1 << order);
        }
        if (order > 0 && (gfp & __GFP_COMP) != 0) {
            prepCompoundPage(page, order);
        }
    }

    /** {@code prep_compound_page}. */
    private void prepCompoundPage(Page head, int order) {
        int pfn = (int) head.pfn();
        head.setFlag(PageFlags.PG_head);
        for (int i = 1; i < (1 << order); i++) {
            Page tail = memMap.page(pfn + i);
            tail.setRefcount(0);
            tail.setMapping(CompoundHead.TAIL_MAPPING);
            CompoundHead.setCompoundHead(tail, head);
        }
        Page firstTail = memMap.page(pfn + 1);
        CompoundHead.setOrderAndDtor(firstTail, order, CompoundHead.COMPOUND_PAGE_DTOR);
        // compound_mapcount lives in the first tail's mapping word and starts at -1.
        firstTail.setMapping(-1);
    }

    private Page allocationFailed(int gfp, int order) {
        if ((gfp & __GFP_NOFAIL) != 0) {
            throw new KernelBug("__GFP_NOFAIL allocation of order " + order + " cannot be"
                    + " satisfied: the kernel would retry for ever (out of memory)");
        }
        if ((gfp & __GFP_NOWARN) == 0 && nopageRs.allow(jiffies, log)) {
            log.printk(texts.allocFailure(tasks.current().comm(), order, gfpLayout.format(gfp)));
            log.printk(String.format(Locale.ROOT, "Node 0 %s free:%dkB", zone.name(),
                    zone.freePages() * (MemMap.PAGE_SIZE / 1024)));
        }
        return null;
    }

    // ---- freeing -------------------------------------------------------------------------

    /**
     * {@code __free_pages(page, order)}: drops a reference and frees the block when it was the
     * last. If it was not, and the page is not a compound head, the pages past the first are
     * freed anyway (a non-compound high-order page's tail is nobody's to keep: 5.10+ semantics).
     */
    public void freePages(Page page, int order) {
        boolean head = page.testFlag(PageFlags.PG_head);
        if (putPageTestzero(page)) {
            freeThePage(page, order);
        } else if (!head) {
            int pfn = (int) page.pfn();
            while (order-- > 0) {
                freeThePage(memMap.page(pfn + (1 << order)), order);
            }
        }
    }

    /** {@code __free_page}. */
    public void freePage(Page page) {
        freePages(page, 0);
    }

    /** {@code free_pages(addr, order)}: address 0 is ignored, as in the kernel. */
    public void freePages(long addr, int order) {
        if (addr != 0) {
            freePages(memMap.virtToPage(addr), order);
        }
    }

    /**
     * {@code put_page_testzero}: drops a reference, true if it was the last. Dropping a
     * reference nobody holds is {@code VM_BUG_ON_PAGE(page_ref_count(page) == 0)}.
     */
    boolean putPageTestzero(Page page) {
        if (page.refcount() == 0) {
            throw types.bug(page, "page_ref_count(page) == 0");
        }
        return page.refDecAndTest();
    }

    /** {@code free_the_page}: order 0 to the per-CPU list, larger blocks to the buddy. */
    void freeThePage(Page page, int order) {
        if (order == 0) {
            freeUnrefPage(page);
        } else {
            freePagesOk(page, order);
        }
    }

    /** {@code free_unref_page}: an order-0 page to this CPU's list, spilling a batch if high. */
    void freeUnrefPage(Page page) {
        Cpu cpu = cpus.current();
        if (!freePagesPrepare(cpu, page, 0)) {
            return;
        }
        vmStat.mod(cpu, VmStatItem.PGFREE, 1);
        PageList list = pcp.get(cpu);
        list.addHead(page);
        if (list.size() >= zone.high()) {
            synchronized (zone) {
                // free_pcppages_bulk: the coldest pages (list tail) go back to the buddy.
                for (int i = 0; i < zone.batch(); i++) {
                    zone.freeOneBlock(list.pollLast(), 0);
                }
            }
        }
    }

    /** {@code __free_pages_ok}: a block straight back to the buddy. */
    void freePagesOk(Page page, int order) {
        Cpu cpu = cpus.current();
        if (!freePagesPrepare(cpu, page, order)) {
            return;
        }
        vmStat.mod(cpu, VmStatItem.PGFREE, 1L << order);
        synchronized (zone) {
            zone.freeOneBlock(page, order);
        }
    }

    /**
     * {@code free_pages_prepare}: tail checks, the free hooks (where the kmem uncharge sits),
     * then the head's checks, then the poison: every page of the block drops its contents. False
     * if any page was bad: the whole block is then leaked, contents and all.
     */
    private boolean freePagesPrepare(Cpu cpu, Page page, int order) {
        if (CompoundHead.isTail(page)) {
            throw types.bug(page, "PageTail(page)");
        }
        boolean bad = false;
        if (order != 0) {
            // PageCompound: the head flag, since a tail was refused above.
            boolean compound = page.testFlag(PageFlags.PG_head);
            if (compound && CompoundHead.compoundOrder(memMap, page) != order) {
                throw types.bug(page, "compound && compound_order(page) != order");
            }
            int pfn = (int) page.pfn();
            for (int i = 1; i < (1 << order); i++) {
                Page tail = memMap.page(pfn + i);
                if (compound) {
                    bad |= checks.freeTailPagesCheck(page, tail, i);
                }
                if (checks.checkFreePage(tail)) {
                    bad = true;
                    continue;
                }
                tail.clearFlagsNonAtomic(PageFlags.PAGE_FLAGS_CHECK_AT_PREP);
            }
        }
        if ((page.mapping() & FreePageChecks.PAGE_MAPPING_FLAGS) != 0) {
            page.setMapping(0);
        }
        if (hooks.freeKey().isEnabled()) {
            hooks.runFree(cpu, page, order);
        }
        bad |= checks.checkFreePage(page);
        if (bad) {
            badPages.blockLeaked(page, order);
            return false;
        }
        page.clearFlagsNonAtomic(PageFlags.PAGE_FLAGS_CHECK_AT_PREP);
        ram.kernelPoisonPages(page, 1 << order);
        return true;
    }

    /** The hook points (for the refcounting paths). */
    PageHooks hooks() {
        return hooks;
    }

    // ---- state ---------------------------------------------------------------------------

    /** {@code NR_FREE_PAGES}: pages in the buddy free lists (per-CPU lists excluded). */
    public long nrFreePages() {
        return zone.freePages();
    }

    /** Pages on every CPU's per-CPU list. Exact only at quiescence. */
    public long nrPcpPages() {
        long n = 0;
        for (int c = 0; c < pcp.size(); c++) {
            n += pcp.get(c).size();
        }
        return n;
    }

    /** {@code drain_local_pages}: the calling CPU's per-CPU pages back to the buddy. */
    public void drainLocalPages() {
        drain(pcp.get(cpus.current()));
    }

    /**
     * {@code drain_all_pages}: every CPU's per-CPU pages back to the buddy, each CPU draining its
     * own list as per-CPU work ({@link Cpus#scheduleWorkOn}), as the kernel queues
     * {@code drain_local_pages_wq} on each CPU that has pages. The caller's CPU and every CPU no
     * live thread owns are drained before this returns; a CPU whose live thread owns it drains
     * at that thread's next schedule point ({@link Cpus#flushWork} waits for it), since only the
     * owner may touch its list while it may be allocating.
     */
    public void drainAllPages() {
        // pcp->count read without the owner, as the kernel reads it: a stale answer only skips
        // a drain with nothing to do or queues one that finds nothing.
        cpus.scheduleWorkOnEach(c -> {
            PageList list = pcp.get(c);
            return list.isEmpty() ? null : () -> drain(list);
        });
    }

    private void drain(PageList list) {
        synchronized (zone) {
            Page p;
            while ((p = list.pollFirst()) != null) {
                zone.freeOneBlock(p, 0);
            }
        }
    }

    /**
     * The pfns that are free: in a buddy block (deferred ones included) or on a per-CPU list. A
     * diagnostic for leak checks, exact only at quiescence.
     */
    public BitSet freePfns() {
        BitSet free = new BitSet(memMap.nrPages());
        synchronized (zone) {
            free.set(zone.startPfn(), memMap.firstInitPfn());
            for (int o = 0; o < Zone.MAX_ORDER; o++) {
                PageList list = zone.freeList(o);
                for (Page p = list.first(); p != null; p = list.next(p)) {
                    free.set((int) p.pfn(), (int) p.pfn() + (1 << o));
                }
            }
        }
        for (int c = 0; c < pcp.size(); c++) {
            PageList list = pcp.get(c);
            for (Page p = list.first(); p != null; p = list.next(p)) {
                free.set((int) p.pfn());
            }
        }
        return free;
    }
}
