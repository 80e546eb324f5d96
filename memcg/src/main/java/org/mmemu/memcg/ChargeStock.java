package org.mmemu.memcg;

import com.google.inject.Inject;
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
 * charge). The cached memcg is pinned by one css reference and the cached objcg by one
 * reference.
 *
 * <p>Locking: each CPU's stock has its own lock (the kernel's {@code local_lock}, a per-CPU lock
 * on PREEMPT_RT), so the fast path takes no shared lock and allocates nothing. A drain of
 * another CPU's stock, which the kernel queues as work on that CPU, is done synchronously
 * under that CPU's lock.
 *
 * <p>The methods taking a {@link Cpu} are for hot paths that looked the calling thread's CPU up
 * once ({@code smp_processor_id} is a register read in the kernel, a {@code ThreadLocal} here);
 * {@code cpu} must be the calling thread's CPU.
 */
public final class ChargeStock {
    private final Cpus cpus;
    private final PerCpu<Stock> stocks;
    private final int batch;
    private final boolean v1Kmem;
    private final boolean kmemViaStock;
    /** {@link MemcgConfig#pageStock()}: false only to measure what the stock buys. */
    private final boolean pageStock;

    /** One CPU's stock; guarded by its own monitor. */
    static class Stock extends PerCpuPadding {
        MemCgroup cached;
        int nrPages;
        ObjCgroup cachedObjcg;
        int nrBytes;
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
        this.stocks = cpus.perCpu(cpu -> new PaddedStock());
        this.batch = config.chargeBatch();
        this.v1Kmem = config.v1KmemCounter();
        this.kmemViaStock = config.kmemUnchargeViaStock();
        this.pageStock = config.pageStock();
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
        Stock stock = stocks.get(cpu);
        synchronized (stock) {
            if (stock.cached == memcg && stock.nrPages >= nrPages) {
                stock.nrPages -= nrPages;
                return true;
            }
            return false;
        }
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
        Stock stock = stocks.get(cpu);
        synchronized (stock) {
            refillLocked(stock, memcg, nrPages);
        }
    }

    /** {@code __refill_stock}. */
    private void refillLocked(Stock stock, MemCgroup memcg, int nrPages) {
        if (stock.cached != memcg) {
            drainLocked(stock);
            memcg.cssGet(1);
            stock.cached = memcg;
        }
        stock.nrPages += nrPages;
        if (stock.nrPages > batch) {
            drainLocked(stock);
        }
    }

    /**
     * {@code drain_stock}: uncharges the stocked pages and drops the stock's reference on the
     * memcg. (Dropping it may release a removed cgroup, which takes the cgroup mutex: the lock
     * order is stock, then cgroup mutex, and nothing takes them the other way round.)
     */
    private static void drainLocked(Stock stock) {
        MemCgroup old = stock.cached;
        if (old == null) {
            return;
        }
        if (stock.nrPages > 0) {
            old.memory().uncharge(stock.nrPages);
            stock.nrPages = 0;
        }
        stock.cached = null;
        old.cssPut(1);
    }

    /**
     * {@code drain_all_stock}: empties every CPU's stock that caches {@code root} or one of its
     * descendants (pages or bytes). Remote stocks are drained from the calling thread.
     */
    public void drainAll(MemCgroup root) {
        // The drained stocks' statistics land in the caller's rows, as the drain work would
        // in the owning CPU's.
        Cpu self = cpus.current();
        for (int c = 0; c < stocks.size(); c++) {
            Stock stock = stocks.get(c);
            ObjCgroup oldObjcg = null;
            synchronized (stock) {
                ObjCgroup objcg = stock.cachedObjcg;
                boolean flushObj = objcg != null && objcg.memcg().isDescendantOf(root);
                boolean flushPages = stock.cached != null && stock.nrPages > 0
                        && stock.cached.isDescendantOf(root);
                if (flushObj || flushPages) {
                    // drain_local_stock: the byte stock first, its pages land in the page stock.
                    oldObjcg = drainObjLocked(self, stock);
                    drainLocked(stock);
                }
            }
            if (oldObjcg != null) {
                oldObjcg.put();
            }
        }
    }

    /** The pages CPU {@code cpu} holds in stock and the memcg they belong to (diagnostics). */
    public int stockedPages(int cpu) {
        Stock stock = stocks.get(cpu);
        synchronized (stock) {
            return stock.nrPages;
        }
    }

    /** The memcg CPU {@code cpu}'s stock caches, or null. */
    public MemCgroup cachedMemcg(int cpu) {
        Stock stock = stocks.get(cpu);
        synchronized (stock) {
            return stock.cached;
        }
    }

    /** The obj_cgroup CPU {@code cpu}'s byte stock caches, or null. */
    public ObjCgroup cachedObjcg(int cpu) {
        Stock stock = stocks.get(cpu);
        synchronized (stock) {
            return stock.cachedObjcg;
        }
    }

    /** The number of CPUs with a stock. */
    public int nrStocks() {
        return stocks.size();
    }

    /** Pages stocked for {@code memcg} over every CPU (exact at quiescence). */
    public long stockedPagesOf(MemCgroup memcg) {
        long n = 0;
        for (int c = 0; c < stocks.size(); c++) {
            Stock stock = stocks.get(c);
            synchronized (stock) {
                if (stock.cached == memcg) {
                    n += stock.nrPages;
                }
            }
        }
        return n;
    }

    // ---- obj_cgroup bytes ----------------------------------------------------------------------

    /** {@code consume_obj_stock}: takes {@code nrBytes} pre-charged to {@code objcg} on this CPU. */
    public boolean consumeObj(ObjCgroup objcg, int nrBytes) {
        Stock stock = stocks.get(cpus.current());
        synchronized (stock) {
            if (stock.cachedObjcg == objcg && stock.nrBytes >= nrBytes) {
                stock.nrBytes -= nrBytes;
                return true;
            }
            return false;
        }
    }

    /**
     * {@code refill_obj_stock}: returns {@code nrBytes} to this CPU's byte stock; when the stock
     * changes objcg or (if {@code allowUncharge}) holds more than a page, whole pages are
     * uncharged from the objcg's memcg.
     */
    public void refillObj(ObjCgroup objcg, int nrBytes, boolean allowUncharge) {
        Cpu cpu = cpus.current();
        Stock stock = stocks.get(cpu);
        ObjCgroup old = null;
        int nrPages = 0;
        synchronized (stock) {
            if (stock.cachedObjcg != objcg) {
                old = drainObjLocked(cpu, stock);
                objcg.get();
                stock.cachedObjcg = objcg;
                stock.nrBytes = objcg.nrChargedBytes().getAndSet(0);
                allowUncharge = true;
            }
            stock.nrBytes += nrBytes;
            if (allowUncharge && stock.nrBytes > MemMap.PAGE_SIZE) {
                nrPages = stock.nrBytes >>> MemMap.PAGE_SHIFT;
                stock.nrBytes &= MemMap.PAGE_SIZE - 1;
            }
        }
        if (old != null) {
            old.put();
        }
        if (nrPages > 0) {
            unchargeKmem(cpu, objcg.memcg(), nrPages);
        }
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
        Stock stock = stocks.get(cpu);
        synchronized (stock) {
            unchargeKmemLocked(cpu, stock, memcg, nrPages);
        }
    }

    /** {@code stock} may be another CPU's (a remote drain); {@code self} is the caller's CPU. */
    private void unchargeKmemLocked(Cpu self, Stock stock, MemCgroup memcg, int nrPages) {
        memcg.stats().mod(self, MemcgStatItem.MEMCG_KMEM, -nrPages);
        if (v1Kmem) {
            memcg.kmem().uncharge(nrPages);
        }
        if (kmemViaStock && pageStock) {
            refillLocked(stock, memcg, nrPages);
        } else {
            memcg.memory().uncharge(nrPages);
        }
    }

    /**
     * {@code drain_obj_stock}: whole pages are uncharged (through the stock being drained, which
     * is where the kernel's drain work runs), the sub-page rest to {@code objcg->nr_charged_bytes}.
     * Returns the objcg whose stock reference the caller drops outside the lock.
     */
    private ObjCgroup drainObjLocked(Cpu self, Stock stock) {
        ObjCgroup old = stock.cachedObjcg;
        if (old == null) {
            return null;
        }
        if (stock.nrBytes > 0) {
            int nrPages = stock.nrBytes >>> MemMap.PAGE_SHIFT;
            int rest = stock.nrBytes & (MemMap.PAGE_SIZE - 1);
            if (nrPages > 0) {
                unchargeKmemLocked(self, stock, old.memcg(), nrPages);
            }
            old.nrChargedBytes().addAndGet(rest);
            stock.nrBytes = 0;
        }
        stock.cachedObjcg = null;
        return old;
    }

    /** Bytes CPU {@code cpu} holds in its obj stock (diagnostics). */
    public int stockedBytes(int cpu) {
        Stock stock = stocks.get(cpu);
        synchronized (stock) {
            return stock.nrBytes;
        }
    }
}
