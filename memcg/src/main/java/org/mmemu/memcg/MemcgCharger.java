package org.mmemu.memcg;

import static org.mmemu.core.page.Gfp.__GFP_ATOMIC;
import static org.mmemu.core.page.Gfp.__GFP_HIGH;
import static org.mmemu.core.page.Gfp.__GFP_NOFAIL;
import static org.mmemu.core.page.Gfp.__GFP_NORETRY;
import static org.mmemu.core.page.Gfp.__GFP_RETRY_MAYFAIL;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.page.Gfp;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.stat.MemcgEvent;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * Charging pages to a memcg ({@code try_charge} / {@code try_charge_memcg}, {@code cancel_charge},
 * {@code uncharge_batch}, {@code __memcg_kmem_charge}/{@code __memcg_kmem_uncharge}).
 *
 * <p>The fast path is {@link ChargeStock#consume}: no shared counter, no lock, no allocation.
 * Otherwise a batch ({@code max(MEMCG_CHARGE_BATCH, nr)}) is charged to the page counters and
 * the surplus parked in this CPU's stock. When a level of the hierarchy is at its
 * {@code memory.max} the era's {@link ChargeSemantics} decide: retry after draining the stocks,
 * count {@code max} events, run the OOM killer, force the charge or return {@code -ENOMEM}.
 * The root cgroup is never charged.
 */
public final class MemcgCharger {
    /** {@code PAGE_ALLOC_COSTLY_ORDER}: the memcg OOM killer skips larger charges. */
    public static final int PAGE_ALLOC_COSTLY_ORDER = 3;

    private final ChargeStock stock;
    private final OomKiller oom;
    private final Cpus cpus;
    private final ChargeSemantics semantics;
    private final boolean v1Kmem;

    @Inject
    public MemcgCharger(ChargeStock stock, OomKiller oom, Cpus cpus, MemcgConfig config) {
        this.stock = stock;
        this.oom = oom;
        this.cpus = cpus;
        this.semantics = config.chargeSemantics();
        this.v1Kmem = config.v1KmemCounter();
    }

    /** The per-CPU stock this charger uses. */
    public ChargeStock stock() {
        return stock;
    }

    /**
     * {@code try_charge}: charges {@code nrPages} to {@code memcg} and its ancestors; the root
     * is never charged.
     *
     * @return 0, or {@code -ENOMEM} when the limit holds and the era does not force the charge
     */
    public int tryCharge(MemCgroup memcg, int gfp, int nrPages) {
        if (memcg.isRoot()) {
            return 0;
        }
        return tryChargeMemcg(cpus.current(), memcg, gfp, nrPages);
    }

    /**
     * {@code try_charge_memcg} (5.13+): {@link #tryCharge} without the root exemption, which
     * obj_cgroup charges need: an objcg reparented to the root charges the root's counter, so
     * that its later uncharge finds the pages there.
     */
    private int tryChargeMemcg(Cpu cpu, MemCgroup memcg, int gfp, int nrPages) {
        // The stock hit is the common case: kept apart so that it is small enough to inline.
        if (stock.consume(cpu, memcg, nrPages)) {
            return 0;
        }
        return chargeCounters(cpu, memcg, gfp, nrPages);
    }

    /** The rest of {@code try_charge_memcg}: the counters, and the limit handling. */
    private int chargeCounters(Cpu cpu, MemCgroup memcg, int gfp, int nrPages) {
        int batch = stock.chargeBatch(nrPages);
        int retries = semantics.reclaimRetries();
        boolean drained = false;
        boolean raisedMax = false;
        boolean passedOom = false;
        TaskStruct current = null;
        boolean first = true;
        while (true) {
            if (!first && stock.consume(cpu, memcg, nrPages)) {
                return 0;
            }
            first = false;
            PageCounter fail = memcg.memory().tryCharge(batch);
            if (fail == null) {
                if (batch > nrPages) {
                    stock.refill(cpu, memcg, batch - nrPages);
                }
                checkHigh(memcg);
                return 0;
            }
            if (current == null) {
                // Only the slow path asks who is charging: not a lookup per charge.
                current = cpu.current();
            }
            MemCgroup overLimit = owner(memcg, fail);
            if (batch > nrPages) {
                batch = nrPages;
                continue;
            }
            if (semantics == ChargeSemantics.V5_10 && (gfp & __GFP_ATOMIC) != 0) {
                return force(memcg, overLimit, nrPages, raisedMax);
            }
            if (semantics != ChargeSemantics.LATEST && isDying(current)) {
                return force(memcg, overLimit, nrPages, raisedMax);
            }
            if (current.hasFlag(TaskStruct.PF_MEMALLOC)) {
                return force(memcg, overLimit, nrPages, raisedMax);
            }
            if (!Gfp.allowsBlocking(gfp)) {
                return nomem(memcg, overLimit, gfp, nrPages, raisedMax);
            }
            overLimit.events().raise(MemcgEvent.MAX);
            raisedMax = true;
            // try_to_free_mem_cgroup_pages: the emulator has nothing to reclaim.
            if (OomKiller.margin(overLimit) >= nrPages) {
                continue;
            }
            if (!drained) {
                stock.drainAll(overLimit);
                drained = true;
                continue;
            }
            if ((gfp & __GFP_NORETRY) != 0) {
                return nomem(memcg, overLimit, gfp, nrPages, raisedMax);
            }
            if (retries-- > 0) {
                continue;
            }
            if (semantics == ChargeSemantics.V4_8) {
                if ((gfp & __GFP_NOFAIL) != 0 || isDying(current)) {
                    return force(memcg, overLimit, nrPages, raisedMax);
                }
                // mem_cgroup_oom only records the context for a user page fault: no kill here.
                overLimit.events().raise(MemcgEvent.OOM);
                return nomem(memcg, overLimit, gfp, nrPages, raisedMax);
            }
            if ((gfp & __GFP_RETRY_MAYFAIL) != 0) {
                return nomem(memcg, overLimit, gfp, nrPages, raisedMax);
            }
            if (semantics == ChargeSemantics.V5_10) {
                if ((gfp & __GFP_NOFAIL) != 0 || isDying(current)) {
                    return force(memcg, overLimit, nrPages, raisedMax);
                }
            } else if (passedOom && isDying(current)) {
                return nomem(memcg, overLimit, gfp, nrPages, raisedMax);
            }
            int order = orderOf(nrPages);
            if (order <= PAGE_ALLOC_COSTLY_ORDER) {
                // mem_cgroup_oom
                overLimit.events().raise(MemcgEvent.OOM);
                if (oom.outOfMemory(overLimit, order)) {
                    passedOom = true;
                    retries = semantics.reclaimRetries();
                    continue;
                }
                if (semantics == ChargeSemantics.V5_10) {
                    return force(memcg, overLimit, nrPages, raisedMax);
                }
            }
            return nomem(memcg, overLimit, gfp, nrPages, raisedMax);
        }
    }

    /** The {@code nomem:} exit: {@code -ENOMEM} unless the gfp insists. */
    private int nomem(MemCgroup memcg, MemCgroup overLimit, int gfp, int nrPages, boolean raisedMax) {
        int insist = semantics == ChargeSemantics.LATEST ? __GFP_NOFAIL | __GFP_HIGH : __GFP_NOFAIL;
        if ((gfp & insist) == 0) {
            return Errno.ENOMEM.negative();
        }
        return force(memcg, overLimit, nrPages, raisedMax);
    }

    /** The {@code force:} exit: charge past the limit (usage may exceed max). */
    private int force(MemCgroup memcg, MemCgroup overLimit, int nrPages, boolean raisedMax) {
        if (semantics == ChargeSemantics.LATEST && !raisedMax) {
            overLimit.events().raise(MemcgEvent.MAX);
        }
        memcg.memory().charge(nrPages);
        return 0;
    }

    /** Counts {@code high} for each level above memory.high (reclaim_high on return to user). */
    private static void checkHigh(MemCgroup memcg) {
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent()) {
            if (m.memory().read() > m.memory().high()) {
                m.events().raise(MemcgEvent.HIGH);
            }
        }
    }

    /** {@code mem_cgroup_from_counter}: the cgroup whose memory counter refused. */
    private static MemCgroup owner(MemCgroup memcg, PageCounter counter) {
        for (MemCgroup m = memcg; m != null; m = m.parent()) {
            if (m.memory() == counter) {
                return m;
            }
        }
        throw new IllegalStateException(counter + " is not an ancestor of " + memcg);
    }

    /**
     * {@code task_is_dying} (6.x; {@code should_force_charge} in 5.x, open-coded before): an OOM
     * victim, a task with SIGKILL pending, or one that is exiting.
     */
    private boolean isDying(TaskStruct t) {
        TaskMemcg record = TaskMemcg.peek(t);
        return t.hasFlag(TaskStruct.PF_EXITING) || t.fatalSignalPending() || record != null && record.oomVictim;
    }

    /** {@code get_order(nr_pages * PAGE_SIZE)}. */
    static int orderOf(int nrPages) {
        return nrPages <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(nrPages - 1);
    }

    /** {@code cancel_charge} / {@code uncharge_batch}: back to the counters at once. */
    public void uncharge(MemCgroup memcg, int nrPages) {
        if (!memcg.isRoot()) {
            memcg.memory().uncharge(nrPages);
        }
    }

    /**
     * {@code __memcg_kmem_charge} / {@code obj_cgroup_charge_pages}: a memory charge plus the
     * kernel-memory accounting ({@code MEMCG_KMEM}, and the v1 {@code kmem} counter if kept).
     * In the latest era this is {@code obj_cgroup_charge_pages}, which charges even the root
     * (through an objcg reparented there); before, {@code __memcg_kmem_charge} skipped it.
     */
    public int kmemCharge(MemCgroup memcg, int gfp, int nrPages) {
        return kmemCharge(cpus.current(), memcg, gfp, nrPages);
    }

    /**
     * {@link #kmemCharge(MemCgroup, int, int)} on {@code cpu}, the calling thread's CPU, looked
     * up once by the caller for the whole accounted allocation.
     */
    public int kmemCharge(Cpu cpu, MemCgroup memcg, int gfp, int nrPages) {
        // The latest era charges even the root (obj_cgroup_charge_pages); before, try_charge
        // skipped it but the kmem accounting below still ran.
        int ret = semantics != ChargeSemantics.LATEST && memcg.isRoot()
                ? 0 : tryChargeMemcg(cpu, memcg, gfp, nrPages);
        if (ret != 0) {
            return ret;
        }
        if (v1Kmem) {
            memcg.kmem().charge(nrPages);
        }
        memcg.stats().mod(cpu, MemcgStatItem.MEMCG_KMEM, nrPages);
        return 0;
    }

    /** {@code __memcg_kmem_uncharge}: see {@link ChargeStock#unchargeKmem}. */
    public void kmemUncharge(MemCgroup memcg, int nrPages) {
        stock.unchargeKmem(memcg, nrPages);
    }

    /** {@link #kmemUncharge(MemCgroup, int)} on {@code cpu}, the calling thread's CPU. */
    public void kmemUncharge(Cpu cpu, MemCgroup memcg, int nrPages) {
        stock.unchargeKmem(cpu, memcg, nrPages);
    }
}
