package org.mmemu.bpf;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_NOWAIT;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.MemCgroup;

/**
 * {@code bpf_mem_alloc} for objects of one size, as a {@code BPF_F_NO_PREALLOC} hash takes its
 * elements in 6.x (kernel/bpf/memalloc.c of 6.13.7: {@code bpf_mem_alloc_init} with a size,
 * {@code init_refill_work}, {@code prefill_mem_cache}, {@code alloc_bulk}, {@code unit_alloc},
 * {@code unit_free}, {@code bpf_mem_refill}, {@code free_bulk}, {@code do_call_rcu_ttrace},
 * {@code bpf_mem_alloc_destroy}): one {@link BpfMemCache} per possible CPU, prefilled at init
 * in the creator's context, each object kmalloc'd 8 bytes larger ({@code LLIST_NODE_SZ}) and
 * charged to the creator's cgroup ({@code get_obj_cgroup_from_current} at init,
 * {@code set_active_memcg} around every refill), whoever allocates later.
 *
 * <p>The kernel refills and trims a cache from {@code irq_work} raised by
 * {@code unit_alloc}/{@code unit_free}; for a syscall the work runs as soon as interrupts are
 * enabled again, before the syscall returns. The emulator has no irq_work, so it runs
 * {@code bpf_mem_refill} synchronously right after the operation that raised it: an allocation
 * that found the cache empty still fails, as in the kernel. Left out: the unaccounted per-CPU
 * {@code struct bpf_mem_cache} array itself, the {@code free_llist_extra} path (no NMI
 * re-entry here), the {@code c->tgt} hint (trimmed objects go to the trimming CPU's own
 * lists), and RCU tasks trace (taken to imply a normal grace period, as
 * {@code rcu_trace_implies_rcu_gp} says on most configs).
 */
final class BpfMemAlloc {
    /** {@code LLIST_NODE_SZ}: the free-list link in front of every object. */
    static final int LLIST_NODE_SZ = 8;
    /** Objects prefilled per CPU for units of up to 256 bytes (one above). */
    static final int PREFILL_SMALL = 4;

    private final BpfMapMemory memory;
    private final Rcu rcu;
    private final Cpus cpus;
    /** {@code ma->objcg}: the creator's cgroup, with a reference; null when accounting was bypassed. */
    private final MemCgroup objcg;
    private final BpfMemCache[] caches;

    /** {@code bpf_mem_alloc_init(ma, size, false)}, as the current task. */
    BpfMemAlloc(int size, BpfMapMemory memory, Rcu rcu, Cpus cpus) {
        this.memory = memory;
        this.rcu = rcu;
        this.cpus = cpus;
        this.objcg = memory.getMemcgFromCurrent();
        int unitSize = size + LLIST_NODE_SZ;
        caches = new BpfMemCache[cpus.nrCpus()];
        for (int cpu = 0; cpu < caches.length; cpu++) {
            caches[cpu] = new BpfMemCache(unitSize);
            allocBulk(caches[cpu], unitSize <= BpfMemCache.SMALL_UNIT ? PREFILL_SMALL : 1, false);
        }
    }

    /** The cache of {@code cpu}, for tests. */
    BpfMemCache cache(int cpu) {
        return caches[cpu];
    }

    /** The objects the caches hold, free or waiting for a grace period to be kfree'd: all charged. */
    int cachedObjects() {
        int n = 0;
        for (BpfMemCache c : caches) {
            n += c.freeCnt() + c.nrWaitingToFree();
        }
        return n;
    }

    /**
     * {@code bpf_mem_cache_alloc}: an object from this CPU's cache, then the refill the
     * {@code unit_alloc} raised below the low watermark.
     *
     * @return the object (past its link), or 0 when the cache was empty
     */
    long alloc() {
        BpfMemCache c = caches[cpus.current().id()];
        long obj = c.unitAlloc();
        if (c.belowLow()) {
            bpfMemRefill(c);
        }
        return obj == 0 ? 0 : obj + LLIST_NODE_SZ;
    }

    /** {@code bpf_mem_cache_free}: back to this CPU's cache, trimmed above the high watermark. */
    void free(long ptr) {
        BpfMemCache c = caches[cpus.current().id()];
        c.unitFree(ptr - LLIST_NODE_SZ);
        if (c.aboveHigh()) {
            bpfMemRefill(c);
        }
    }

    /** {@code bpf_mem_refill}: a batch allocated below the low watermark, a trim above the high. */
    private void bpfMemRefill(BpfMemCache c) {
        if (c.belowLow()) {
            allocBulk(c, c.batch, true);
        } else if (c.aboveHigh()) {
            freeBulk(c);
        }
    }

    /**
     * {@code alloc_bulk}: {@code cnt} objects, the ones waiting to be freed first, then kmalloc'd
     * under {@code set_active_memcg(objcg)} with {@code GFP_NOWAIT} from the refill
     * ({@code GFP_KERNEL} at prefill), {@code __GFP_NOWARN | __GFP_ACCOUNT}: at the cgroup's
     * limit the charge fails and the batch stops short.
     */
    private void allocBulk(BpfMemCache c, int cnt, boolean atomic) {
        int i = c.reuseWaiting(cnt);
        int gfp = __GFP_NOWARN | __GFP_ACCOUNT | __GFP_ZERO | (atomic ? GFP_NOWAIT : GFP_KERNEL);
        for (; i < cnt; i++) {
            long obj = memory.kmallocCharged(objcg, c.unitSize, gfp);
            if (obj == 0) {
                break;
            }
            c.addObjToFreeList(obj);
        }
    }

    /** {@code free_bulk}: down to the watermarks' middle, then the objects freed after a grace period. */
    private void freeBulk(BpfMemCache c) {
        c.trimToMiddle();
        doCallRcuTtrace(c);
    }

    /** {@code do_call_rcu_ttrace}: one grace period in flight per cache frees what waits for it. */
    private void doCallRcuTtrace(BpfMemCache c) {
        if (c.startGracePeriod()) {
            rcu.callRcu(() -> freeAll(c.endGracePeriod()));
        }
    }

    private void freeAll(long[] objs) {
        for (long obj : objs) {
            memory.kfree(obj);
        }
    }

    /**
     * {@code bpf_mem_alloc_destroy}: every cache drained (free list, objects waiting for a grace
     * period) to kfree, and the cgroup's reference dropped. A grace period still in flight finds
     * nothing left to free.
     */
    void destroy() {
        for (BpfMemCache c : caches) {
            freeAll(c.drain());
        }
        memory.putMemcg(objcg);
    }
}
