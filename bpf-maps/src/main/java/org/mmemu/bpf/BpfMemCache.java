package org.mmemu.bpf;

import java.util.Arrays;

/**
 * One CPU's {@code struct bpf_mem_cache} (kernel/bpf/memalloc.c of 6.13.7) for one unit size:
 * the free list and its count, the watermarks and batch of {@code init_refill_work}, and the
 * trimmed objects on their way to kfree ({@code free_by_rcu_ttrace}, then
 * {@code waiting_for_gp_ttrace} while a grace period runs). The monitor stands for the
 * per-CPU {@code active} counter with interrupts off: only an RCU callback on another thread
 * ever contends for it.
 */
final class BpfMemCache {
    /** Units up to this size get the fixed 32/96 watermarks and a prefill of four. */
    static final int SMALL_UNIT = 256;

    final int unitSize;
    final int lowWatermark;
    final int highWatermark;
    final int batch;
    private final LongStack freeLlist = new LongStack();
    private final LongStack freeByRcuTtrace = new LongStack();
    private final LongStack waitingForGpTtrace = new LongStack();
    private boolean callRcuTtraceInProgress;

    /** {@code init_refill_work} for a cache that is not per-CPU. */
    BpfMemCache(int unitSize) {
        this.unitSize = unitSize;
        if (unitSize <= SMALL_UNIT) {
            lowWatermark = 32;
            highWatermark = 96;
        } else {
            lowWatermark = Math.max(32 * SMALL_UNIT / unitSize, 1);
            highWatermark = Math.max(96 * SMALL_UNIT / unitSize, 3);
        }
        batch = Math.max((highWatermark - lowWatermark) / 4 * 3, 1);
    }

    /** {@code c->free_cnt}. */
    synchronized int freeCnt() {
        return freeLlist.size;
    }

    synchronized boolean belowLow() {
        return freeLlist.size < lowWatermark;
    }

    synchronized boolean aboveHigh() {
        return freeLlist.size > highWatermark;
    }

    /** The objects trimmed and not yet freed, for tests. */
    synchronized int nrWaitingToFree() {
        return freeByRcuTtrace.size + waitingForGpTtrace.size;
    }

    /** {@code unit_alloc}'s list part: the first free object, or 0. */
    synchronized long unitAlloc() {
        return freeLlist.size == 0 ? 0 : freeLlist.pop();
    }

    /** {@code unit_free}'s list part. */
    synchronized void unitFree(long obj) {
        freeLlist.push(obj);
    }

    /** {@code add_obj_to_free_list}. */
    synchronized void addObjToFreeList(long obj) {
        freeLlist.push(obj);
    }

    /**
     * {@code alloc_bulk}'s first two loops: up to {@code cnt} trimmed objects back on the free
     * list, from {@code free_by_rcu_ttrace} and then {@code waiting_for_gp_ttrace}.
     *
     * @return how many came back
     */
    synchronized int reuseWaiting(int cnt) {
        int i = 0;
        for (; i < cnt && freeByRcuTtrace.size > 0; i++) {
            freeLlist.push(freeByRcuTtrace.pop());
        }
        for (; i < cnt && waitingForGpTtrace.size > 0; i++) {
            freeLlist.push(waitingForGpTtrace.pop());
        }
        return i;
    }

    /** {@code free_bulk}'s loop: free objects onto {@code free_by_rcu_ttrace} down to the watermarks' middle. */
    synchronized void trimToMiddle() {
        int cnt;
        do {
            if (freeLlist.size > 0) {
                freeByRcuTtrace.push(freeLlist.pop());
            }
            cnt = freeLlist.size;
        } while (cnt > (highWatermark + lowWatermark) / 2);
    }

    /**
     * {@code do_call_rcu_ttrace}'s list part: unless a grace period is already in flight, the
     * trimmed objects move to {@code waiting_for_gp_ttrace}.
     *
     * @return whether the caller must start a grace period
     */
    synchronized boolean startGracePeriod() {
        if (callRcuTtraceInProgress) {
            return false;
        }
        callRcuTtraceInProgress = true;
        freeByRcuTtrace.moveAllTo(waitingForGpTtrace);
        return true;
    }

    /** {@code __free_rcu}: what still waits (alloc_bulk may have taken some back), to kfree. */
    synchronized long[] endGracePeriod() {
        callRcuTtraceInProgress = false;
        return waitingForGpTtrace.takeAll();
    }

    /** {@code drain_mem_cache}: every object the cache holds, to kfree. */
    synchronized long[] drain() {
        freeByRcuTtrace.moveAllTo(freeLlist);
        waitingForGpTtrace.moveAllTo(freeLlist);
        return freeLlist.takeAll();
    }

    /** A growable stack of addresses, the llist of the kernel. */
    private static final class LongStack {
        private long[] a = new long[8];
        int size;

        void push(long x) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = x;
        }

        long pop() {
            return a[--size];
        }

        void moveAllTo(LongStack to) {
            while (size > 0) {
                to.push(pop());
            }
        }

        long[] takeAll() {
            long[] all = Arrays.copyOf(a, size);
            size = 0;
            return all;
        }
    }
}
