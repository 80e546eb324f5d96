package org.mmemu.memcg;

import com.google.inject.Inject;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashSet;
import java.util.Set;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.PerCpu;
import org.mmemu.core.sched.PerCpuPadding;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * {@code struct memcg_stock_pcp}: each CPU's cache of pre-charged pages for one memcg and of
 * pre-charged bytes for one obj_cgroup, so that most charges and uncharges touch no shared
 * counter ({@code consume_stock}, {@code refill_stock}, {@code drain_stock},
 * {@code drain_all_stock}, and the obj_cgroup byte variants).
 *
 * <p>Stocked pages stay charged to the cached memcg's page counters: {@code memory.current}
 * includes them, exactly as in the kernel, until the stock is drained (the CPU caches another
 * memcg, holds more than a batch, or a drain is requested on rmdir, limit change or a failed
 * charge). The cached memcg is pinned by one css reference from 5.8 and the cached objcg by one
 * reference; before 5.8 the css references are the charged pages' own, so the stock pins its
 * memcg only while it holds pages ({@link MemcgConfig#stockPinsMemcg()}): one reference, taken
 * with its first page and dropped with its last, stands for them.
 *
 * <p>Locking: only the thread bound to a CPU touches that CPU's stock (the kernel's
 * {@code local_lock}, which on a non-RT kernel only disables interrupts), so the fast path takes
 * no lock, executes no atomic instruction and allocates nothing. A drain of another CPU's stock
 * is per-CPU work, as the kernel's {@code drain_all_stock} queues it: done at once for a CPU no
 * live thread owns, otherwise by that CPU's thread when it next enters its stock
 * ({@link Cpus#scheduleWorkOn}).
 *
 * <p>The methods taking a {@link Cpu} are for hot paths that looked the calling thread's CPU up
 * once ({@code smp_processor_id} is a register read in the kernel, a {@code ThreadLocal} here);
 * {@code cpu} must be the calling thread's CPU.
 */
public final class ChargeStock {
    private final Cpus cpus;
    /** {@code memcg_stock}, by CPU id: an array, so a hot path reaches its CPU's in one load. */
    private final Stock[] stocks;
    private final int batch;
    private final boolean v1Kmem;
    private final boolean kmemViaStock;
    /** {@link MemcgConfig#pageStock()}: false only to measure what the stock buys. */
    private final boolean pageStock;
    /** {@link MemcgConfig#stockPinsMemcg()}: the stock's own css reference (5.8+), else its pages'. */
    private final boolean stockPinsMemcg;

    /** One CPU's stock; only the thread bound to that CPU (or running work for it) writes it. */
    static class Stock extends PerCpuPadding {
        MemCgroup cached;
        int nrPages;
        ObjCgroup cachedObjcg;
        int nrBytes;
        /**
         * {@code nr_slab_reclaimable_b} / {@code nr_slab_unreclaimable_b}: slab statistic bytes
         * of {@link #cachedObjcg} not yet in its memcg's counters (latest era only).
         */
        int nrSlabReclaimableB;
        int nrSlabUnreclaimableB;
        /** {@code FLUSHING_CACHED_CHARGE}: a drain of this stock is queued (set by CAS). */
        volatile int flushing;
        /** {@code stock->work}: {@code drain_local_stock} of this stock. */
        Runnable drainWork;
    }

    private static final VarHandle FLUSHING;

    static {
        try {
            FLUSHING = MethodHandles.lookup().findVarHandle(Stock.class, "flushing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The stock as allocated: every charge and uncharge writes its words, so they sit between
     * {@link PerCpuPadding} in front and {@link PerCpu#PAD_LONGS} longs behind.
     */
    @SuppressWarnings("unused")
    static final class PaddedStock extends Stock {
        private long p00, p01, p02, p03, p04, p05, p06, p07;
        private long p08, p09, p10, p11, p12, p13, p14, p15;
    }

    @Inject
    public ChargeStock(Cpus cpus, MemcgConfig config) {
        this.cpus = cpus;
        this.stocks = new Stock[cpus.nrCpus()];
        for (int c = 0; c < stocks.length; c++) {
            stocks[c] = newStock();
        }
        this.batch = config.chargeBatch();
        this.v1Kmem = config.v1KmemCounter();
        this.kmemViaStock = config.kmemUnchargeViaStock();
        this.pageStock = config.pageStock();
        this.stockPinsMemcg = config.stockPinsMemcg();
    }

    private Stock newStock() {
        Stock stock = new PaddedStock();
        stock.drainWork = () -> drainLocalStock(stock);
        return stock;
    }

    /**
     * The calling thread's stock, once the work queued for its CPU has run: a queued drain runs
     * before the CPU takes its stock again, as the kernel's work item runs before the CPU next
     * takes its {@code local_lock}.
     */
    private Stock enter(Cpu cpu) {
        if (cpu.hasPendingWork()) {
            cpus.runPendingWork(cpu);
        }
        return stocks[cpu.id()];
    }

    /** {@code MEMCG_CHARGE_BATCH}. */
    public int batch() {
        return batch;
    }

    /**
     * The pages {@code try_charge} takes from the counters for a charge of {@code nrPages}: a
     * batch, whose surplus is stocked, or exactly {@code nrPages} with the page stock switched
     * off ({@link MemcgConfig#pageStock()}).
     */
    public int chargeBatch(int nrPages) {
        return pageStock ? Math.max(batch, nrPages) : nrPages;
    }

    // ---- pages -------------------------------------------------------------------------------

    /** {@code consume_stock}: takes {@code nrPages} from this CPU's stock if it caches {@code memcg}. */
    public boolean consume(MemCgroup memcg, int nrPages) {
        return consume(cpus.current(), memcg, nrPages);
    }

    /** {@link #consume(MemCgroup, int)} on {@code cpu}, the calling thread's CPU. */
    public boolean consume(Cpu cpu, MemCgroup memcg, int nrPages) {
        if (!pageStock || nrPages > batch) {
            return false;
        }
        Stock stock = enter(cpu);
        if (stock.cached == memcg && stock.nrPages >= nrPages) {
            stock.nrPages -= nrPages;
            if (stock.nrPages == 0 && !stockPinsMemcg) {
                // The last stocked page's reference went with it: the memcg stays named, unpinned.
                memcg.cssPut(cpu, 1);
            }
            return true;
        }
        return false;
    }

    /**
     * {@code refill_stock}: parks {@code nrPages} already charged to {@code memcg} on this CPU,
     * draining whatever another memcg had there and spilling when above a batch.
     */
    public void refill(MemCgroup memcg, int nrPages) {
        refill(cpus.current(), memcg, nrPages);
    }

    /** {@link #refill(MemCgroup, int)} on {@code cpu}, the calling thread's CPU. */
    public void refill(Cpu cpu, MemCgroup memcg, int nrPages) {
        refillStock(cpu, enter(cpu), memcg, nrPages);
    }

    /**
     * {@code __refill_stock} into {@code stock}, which is {@code self}'s or that of a CPU
     * {@code self}'s thread runs work for; references are taken on {@code self}.
     */
    private void refillStock(Cpu self, Stock stock, MemCgroup memcg, int nrPages) {
        if (stock.cached != memcg) {
            drainStock(self, stock);
            if (stockPinsMemcg) {
                memcg.cssGet(self, 1);
            }
            stock.cached = memcg;
        }
        if (!stockPinsMemcg && stock.nrPages == 0 && nrPages > 0) {
            memcg.cssGet(self, 1);
        }
        stock.nrPages += nrPages;
        if (stock.nrPages > batch) {
            drainStock(self, stock);
        }
    }

    /**
     * {@code drain_stock}: uncharges the stocked pages and drops the stock's reference on the
     * memcg, if it holds one (which may release a removed cgroup: that takes the cgroup mutex,
     * and touches no stock).
     */
    private void drainStock(Cpu self, Stock stock) {
        MemCgroup old = stock.cached;
        if (old == null) {
            return;
        }
        boolean pinned = stockPinsMemcg || stock.nrPages > 0;
        if (stock.nrPages > 0) {
            old.memory().uncharge(stock.nrPages);
            stock.nrPages = 0;
        }
        stock.cached = null;
        if (pinned) {
            old.cssPut(self, 1);
        }
    }

    /**
     * {@code drain_local_stock}, the work item {@link #drainAll} queues: the byte stock first
     * (its whole pages land in the page stock), then the page stock. It runs as the stock's CPU;
     * references and statistics go to the running thread's own CPU.
     */
    private void drainLocalStock(Stock stock) {
        Cpu self = cpus.current();
        ObjCgroup old;
        try {
            old = drainObjStock(self, stock);
            drainStock(self, stock);
        } finally {
            // Even after a KernelBug in the drain: a flag left set would skip this CPU forever.
            stock.flushing = 0;
        }
        if (old != null) {
            old.put(self);
        }
    }

    /**
     * {@code drain_all_stock}: drains every CPU's stock that caches {@code root} or one of its
     * descendants (pages or bytes). The caller's own stock, and that of any CPU no live thread
     * owns, is drained before this returns; a CPU whose live thread owns it drains its own when
     * that thread next enters its stock, as in the kernel, where the drain is queued work.
     */
    public void drainAll(MemCgroup root) {
        for (int c = 0; c < stocks.length; c++) {
            Stock stock = stocks[c];
            // Read without the owner's cooperation, as the kernel reads stock->cached: a stale
            // answer only skips or repeats a drain.
            if (needsFlush(stock, root) && FLUSHING.compareAndSet(stock, 0, 1)) {
                cpus.scheduleWorkOn(cpus.cpu(c), stock.drainWork);
            }
        }
    }

    private static boolean needsFlush(Stock stock, MemCgroup root) {
        MemCgroup memcg = stock.cached;
        if (memcg != null && stock.nrPages > 0 && memcg.isDescendantOf(root)) {
            return true;
        }
        ObjCgroup objcg = stock.cachedObjcg;
        return objcg != null && objcg.memcg().isDescendantOf(root);
    }

    /** The pages CPU {@code cpu} holds in stock and the memcg they belong to (diagnostics). */
    public int stockedPages(int cpu) {
        return stocks[cpu].nrPages;
    }

    /** The memcg CPU {@code cpu}'s stock caches, or null. */
    public MemCgroup cachedMemcg(int cpu) {
        return stocks[cpu].cached;
    }

    /**
     * The memcg CPU {@code cpu}'s stock holds a css reference on, or null: the cached one, which
     * before 5.8 it pins only while it holds pages ({@link MemcgConfig#stockPinsMemcg()}); an
     * empty stock's may be released already.
     */
    public MemCgroup pinnedMemcg(int cpu) {
        Stock stock = stocks[cpu];
        return stockPinsMemcg || stock.nrPages > 0 ? stock.cached : null;
    }

    /**
     * The removed cgroups that stocks holding no pages still pin, each with the removed
     * ancestors its css reference keeps: {@code drain_all_stock} skips a stock without pages
     * (as the kernel does), so from 5.8, where such a stock keeps a reference of its own, the
     * kernel leaves these dying until that CPU caches another memcg; before 5.8 an empty stock
     * pins nothing ({@link MemcgConfig#stockPinsMemcg()}). Read at quiescence, after a drain.
     */
    public Set<MemCgroup> dyingPinnedByEmptyStocks() {
        Set<MemCgroup> pinned = new HashSet<>();
        for (int cpu = 0; cpu < nrStocks(); cpu++) {
            MemCgroup cached = pinnedMemcg(cpu);
            if (cached != null && stockedPages(cpu) == 0) {
                for (MemCgroup m = cached; m != null && !m.isOnline(); m = m.parent()) {
                    pinned.add(m);
                }
            }
        }
        return pinned;
    }

    /** The obj_cgroup CPU {@code cpu}'s byte stock caches, or null. */
    public ObjCgroup cachedObjcg(int cpu) {
        return stocks[cpu].cachedObjcg;
    }

    /** The number of CPUs with a stock. */
    public int nrStocks() {
        return stocks.length;
    }

    /** Pages stocked for {@code memcg} over every CPU (exact at quiescence). */
    public long stockedPagesOf(MemCgroup memcg) {
        long n = 0;
        for (int c = 0; c < stocks.length; c++) {
            Stock stock = stocks[c];
            if (stock.cached == memcg) {
                n += stock.nrPages;
            }
        }
        return n;
    }

    // ---- obj_cgroup bytes ----------------------------------------------------------------------

    /** {@code consume_obj_stock}: takes {@code nrBytes} pre-charged to {@code objcg} on this CPU. */
    public boolean consumeObj(ObjCgroup objcg, int nrBytes) {
        return consumeObj(cpus.current(), objcg, nrBytes);
    }

    /** {@link #consumeObj(ObjCgroup, int)} on {@code cpu}, the calling thread's CPU. */
    public boolean consumeObj(Cpu cpu, ObjCgroup objcg, int nrBytes) {
        return consumeObj(cpu, objcg, nrBytes, null);
    }

    /**
     * {@code consume_obj_stock(objcg, nr_bytes, pgdat, idx)} (6.14+): on a hit the same stock
     * entry also caches {@code nrBytes} of the slab statistic {@code idx} (null: none), as
     * {@code __account_obj_stock} does, so a slab object's charge and its statistic take the
     * stock once.
     */
    public boolean consumeObj(Cpu cpu, ObjCgroup objcg, int nrBytes, MemcgStatItem idx) {
        Stock stock = enter(cpu);
        if (stock.cachedObjcg == objcg && stock.nrBytes >= nrBytes) {
            stock.nrBytes -= nrBytes;
            if (idx != null) {
                accountObjStock(cpu, stock, objcg, idx, nrBytes);
            }
            return true;
        }
        return false;
    }

    /**
     * {@code refill_obj_stock}: returns {@code nrBytes} to this CPU's byte stock; when the stock
     * changes objcg or (if {@code allowUncharge}) holds more than a page, whole pages are
     * uncharged from the objcg's memcg.
     */
    public void refillObj(ObjCgroup objcg, int nrBytes, boolean allowUncharge) {
        refillObj(cpus.current(), objcg, nrBytes, allowUncharge);
    }

    /** {@link #refillObj(ObjCgroup, int, boolean)} on {@code cpu}, the calling thread's CPU. */
    public void refillObj(Cpu cpu, ObjCgroup objcg, int nrBytes, boolean allowUncharge) {
        refillObj(cpu, objcg, nrBytes, allowUncharge, null, 0);
    }

    /**
     * {@code refill_obj_stock(objcg, nr_bytes, allow_uncharge, nr_acct, pgdat, idx)} (6.14+):
     * as {@link #refillObj(Cpu, ObjCgroup, int, boolean)}, the stock entry also caching
     * {@code nrAcct} bytes of the slab statistic {@code idx} (null: none) for {@code objcg}.
     */
    public void refillObj(Cpu cpu, ObjCgroup objcg, int nrBytes, boolean allowUncharge, MemcgStatItem idx,
                          int nrAcct) {
        Stock stock = enter(cpu);
        ObjCgroup old = null;
        int nrPages = 0;
        if (stock.cachedObjcg != objcg) {
            old = cacheObjcg(cpu, stock, objcg);
            allowUncharge = true;
        }
        stock.nrBytes += nrBytes;
        if (idx != null) {
            accountObjStock(cpu, stock, objcg, idx, nrAcct);
        }
        if (allowUncharge && stock.nrBytes > MemMap.PAGE_SIZE) {
            nrPages = stock.nrBytes >>> MemMap.PAGE_SHIFT;
            stock.nrBytes &= MemMap.PAGE_SIZE - 1;
        }
        // The old objcg's release may uncharge through this stock: only once this is done.
        if (old != null) {
            old.put(cpu);
        }
        if (nrPages > 0) {
            unchargeObjcgPages(cpu, objcg, nrPages);
        }
    }

    /**
     * The stock moves to {@code objcg}: the old objcg's bytes and statistics are drained, a
     * reference is taken on {@code objcg} and its {@code nr_charged_bytes} come into the stock.
     * Returns the old objcg, whose stock reference the caller drops once done with the stock.
     */
    private ObjCgroup cacheObjcg(Cpu cpu, Stock stock, ObjCgroup objcg) {
        ObjCgroup old = drainObjStock(cpu, stock);
        objcg.get(cpu);
        stock.cachedObjcg = objcg;
        stock.nrBytes = objcg.nrChargedBytes().getAndSet(0);
        return old;
    }

    /**
     * {@code __account_obj_stock} (6.14's mm/memcontrol.c; {@code mod_objcg_state} of 5.14 to
     * 6.13): {@code nr} bytes of the slab statistic {@code idx} ({@code NR_SLAB_RECLAIMABLE_B} or
     * {@code NR_SLAB_UNRECLAIMABLE_B}) are cached in {@code stock}, which caches {@code objcg};
     * they reach the memcg's counters when the cached bytes of {@code idx} exceed a page, or when
     * the stock is drained or changes objcg. So {@code memory.stat}'s slab keys lag by up to a
     * page per CPU and key, as the kernel's do. The kernel also flushes when the node changes
     * ({@code cached_pgdat}): the emulator has one node, so that never happens here.
     */
    private static void accountObjStock(Cpu cpu, Stock stock, ObjCgroup objcg, MemcgStatItem idx, int nr) {
        boolean reclaimable = idx == MemcgStatItem.NR_SLAB_RECLAIMABLE_B;
        int cached = reclaimable ? stock.nrSlabReclaimableB : stock.nrSlabUnreclaimableB;
        int bytes = cached + nr;
        int flush = 0;
        // An empty counter caches even an object above a page once, as the kernel's does.
        if (cached != 0 && Math.abs(bytes) > MemMap.PAGE_SIZE) {
            flush = bytes;
            bytes = 0;
        }
        if (reclaimable) {
            stock.nrSlabReclaimableB = bytes;
        } else {
            stock.nrSlabUnreclaimableB = bytes;
        }
        if (flush != 0) {
            objcg.memcg().stats().mod(cpu, idx, flush);
        }
    }

    /**
     * {@code obj_cgroup_uncharge_pages}: whole pages charged through {@code objcg} are uncharged
     * from its current memcg, pinned meanwhile ({@code get_mem_cgroup_from_objcg}), since a
     * reparenting may be releasing the cgroup it pointed to. {@code cpu} is the caller's.
     */
    public void unchargeObjcgPages(Cpu cpu, ObjCgroup objcg, int nrPages) {
        unchargeObjcgPages(cpu, enter(cpu), objcg, nrPages);
    }

    private void unchargeObjcgPages(Cpu self, Stock stock, ObjCgroup objcg, int nrPages) {
        MemCgroup memcg = objcg.getMemCgroup(self);
        unchargeKmem(self, stock, memcg, nrPages);
        memcg.cssPut(self, 1);
    }

    /**
     * {@code __memcg_kmem_uncharge} / {@code obj_cgroup_uncharge_pages}: kernel pages charged
     * to {@code memcg} are given back. From 5.11 they go into this CPU's stock (so
     * {@code memory.current} of their cgroup drops lazily), before that straight to the counters.
     */
    public void unchargeKmem(MemCgroup memcg, int nrPages) {
        unchargeKmem(cpus.current(), memcg, nrPages);
    }

    /** {@link #unchargeKmem(MemCgroup, int)} on {@code cpu}, the calling thread's CPU. */
    public void unchargeKmem(Cpu cpu, MemCgroup memcg, int nrPages) {
        unchargeKmem(cpu, enter(cpu), memcg, nrPages);
    }

    /** {@code stock} may be another CPU's (drain work run for it); {@code self} is the caller's. */
    private void unchargeKmem(Cpu self, Stock stock, MemCgroup memcg, int nrPages) {
        memcg.stats().mod(self, MemcgStatItem.MEMCG_KMEM, -nrPages);
        if (v1Kmem) {
            memcg.kmem().uncharge(nrPages);
        }
        if (kmemViaStock && pageStock) {
            refillStock(self, stock, memcg, nrPages);
        } else {
            memcg.memory().uncharge(nrPages);
        }
    }

    /**
     * {@code drain_obj_stock}: whole pages are uncharged (through the stock being drained, which
     * is where the kernel's drain work runs), the sub-page rest to {@code objcg->nr_charged_bytes},
     * the cached slab statistics to the objcg's memcg.
     * Returns the objcg whose stock reference the caller drops once done with the stock.
     */
    private ObjCgroup drainObjStock(Cpu self, Stock stock) {
        ObjCgroup old = stock.cachedObjcg;
        if (old == null) {
            return null;
        }
        if (stock.nrBytes > 0) {
            int nrPages = stock.nrBytes >>> MemMap.PAGE_SHIFT;
            int rest = stock.nrBytes & (MemMap.PAGE_SIZE - 1);
            if (nrPages > 0) {
                unchargeObjcgPages(self, stock, old, nrPages);
            }
            old.nrChargedBytes().addAndGet(rest);
            stock.nrBytes = 0;
        }
        flushSlabStats(self, stock, old);
        stock.cachedObjcg = null;
        return old;
    }

    /** The statistic bytes {@code stock} caches go to {@code old}'s current memcg, on {@code self}. */
    private static void flushSlabStats(Cpu self, Stock stock, ObjCgroup old) {
        if (stock.nrSlabReclaimableB != 0) {
            old.memcg().stats().mod(self, MemcgStatItem.NR_SLAB_RECLAIMABLE_B, stock.nrSlabReclaimableB);
            stock.nrSlabReclaimableB = 0;
        }
        if (stock.nrSlabUnreclaimableB != 0) {
            old.memcg().stats().mod(self, MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B, stock.nrSlabUnreclaimableB);
            stock.nrSlabUnreclaimableB = 0;
        }
    }

    /** Bytes CPU {@code cpu} holds in its obj stock (diagnostics). */
    public int stockedBytes(int cpu) {
        return stocks[cpu].nrBytes;
    }

    /**
     * Bytes of the slab statistic {@code idx} that the obj stocks of every CPU cache for objcgs of
     * {@code memcg} and have not flushed to its counters (exact at quiescence).
     */
    public long stockedSlabStatOf(MemCgroup memcg, MemcgStatItem idx) {
        long n = 0;
        for (int c = 0; c < stocks.length; c++) {
            ObjCgroup objcg = stocks[c].cachedObjcg;
            if (objcg != null && objcg.memcg() == memcg) {
                n += stockedSlabStat(c, idx);
            }
        }
        return n;
    }

    /** Bytes of the slab statistic {@code idx} CPU {@code cpu}'s obj stock caches (diagnostics). */
    public int stockedSlabStat(int cpu, MemcgStatItem idx) {
        Stock stock = stocks[cpu];
        return idx == MemcgStatItem.NR_SLAB_RECLAIMABLE_B ? stock.nrSlabReclaimableB : stock.nrSlabUnreclaimableB;
    }
}
