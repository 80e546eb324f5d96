package org.mmemu.memcg;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.MemMap;

/**
 * {@code struct page_counter} (mm/page_counter.c): a lock-free hierarchical page counter with a
 * limit. A charge is added at this level and at every ancestor; {@link #tryCharge} stops at the
 * first level whose usage would pass its {@code max} and takes back what it added below, so a
 * failed charge leaves nothing behind.
 *
 * <pre>
 *   counter            usage  max   watermark  failcnt
 *   root               12     MAX   12         0
 *    └ /job            12     16    14         1      tryCharge(5) at /job/a fails here:
 *       └ /job/a       12     MAX   14         0      a's +5 is cancelled, /job counts a fail
 * </pre>
 *
 * <p>The fields race as the kernel's do: {@code usage} is an atomic, {@code watermark} and
 * {@code failcnt} are statistics updated without a lock (failcnt atomically here so totals are
 * exact at quiescence). The protections {@code min} and {@code low} are stored as
 * {@code page_counter_set_min}/{@code _low} store them; their propagation into the parent's
 * {@code children_min_usage}/{@code children_low_usage} is not modelled, since only reclaim
 * reads it and nothing reclaims here.
 */
public final class PageCounter {
    /** {@code PAGE_COUNTER_MAX} on 64-bit: {@code LONG_MAX / PAGE_SIZE} pages. */
    public static final long PAGE_COUNTER_MAX = Long.MAX_VALUE / MemMap.PAGE_SIZE;

    private final PageCounter parent;
    private final AtomicLong usage = new AtomicLong();
    private final AtomicLong failcnt = new AtomicLong();
    private final AtomicLong underflows = new AtomicLong();
    private volatile long max = PAGE_COUNTER_MAX;
    private volatile long high = PAGE_COUNTER_MAX;
    private volatile long min;
    private volatile long low;
    private volatile long watermark;
    private volatile long localWatermark;

    /** {@code page_counter_init(counter, parent)}: usage 0, no limit. */
    public PageCounter(PageCounter parent) {
        this.parent = parent;
    }

    /** The parent level, null for the root. */
    public PageCounter parent() {
        return parent;
    }

    /** {@code page_counter_read}: the current usage in pages. */
    public long read() {
        return usage.get();
    }

    /** {@code counter->max}. */
    public long max() {
        return max;
    }

    /** {@code counter->high} (memory.high; only read for the {@code high} event here). */
    public long high() {
        return high;
    }

    /** {@code page_counter_set_high}. */
    public void setHigh(long nrPages) {
        high = nrPages;
    }

    /** {@code counter->min} (memory.min): the hard protection, 0 until set. */
    public long min() {
        return min;
    }

    /** {@code page_counter_set_min}. */
    public void setMin(long nrPages) {
        min = nrPages;
    }

    /** {@code counter->low} (memory.low; 4.8 kept it in {@code memcg->low}): the soft protection. */
    public long low() {
        return low;
    }

    /** {@code page_counter_set_low}. */
    public void setLow(long nrPages) {
        low = nrPages;
    }

    /** {@code counter->watermark}: the highest usage seen since the last reset. */
    public long watermark() {
        return watermark;
    }

    /** {@code counter->local_watermark}: the peak since the last per-file reset (6.12+). */
    public long localWatermark() {
        return localWatermark;
    }

    /** {@code counter->failcnt}: how many charges failed at this level. */
    public long failcnt() {
        return failcnt.get();
    }

    /** {@code page_counter_charge}: adds {@code nrPages} at every level, ignoring limits. */
    public void charge(long nrPages) {
        for (PageCounter c = this; c != null; c = c.parent) {
            c.raiseWatermarks(c.usage.addAndGet(nrPages));
        }
    }

    /**
     * {@code page_counter_try_charge}: adds {@code nrPages} at every level unless some level
     * would exceed its {@code max}; that level's {@code failcnt} is incremented and the levels
     * below it are cancelled.
     *
     * @return null on success, otherwise the first counter (walking up) that hit its limit
     */
    public PageCounter tryCharge(long nrPages) {
        for (PageCounter c = this; c != null; c = c.parent) {
            // Charge first, then compare: a racing setMax sees the new usage and retries.
            long now = c.usage.addAndGet(nrPages);
            if (now > c.max) {
                c.usage.addAndGet(-nrPages);
                c.failcnt.incrementAndGet();
                for (PageCounter u = this; u != c; u = u.parent) {
                    u.cancel(nrPages);
                }
                return c;
            }
            c.raiseWatermarks(now);
        }
        return null;
    }

    /**
     * {@code page_counter_uncharge}: takes {@code nrPages} off every level. An uncharge of pages
     * that were never charged is the kernel's "page_counter underflow" warning: here the walk
     * completes (each underflowing level clamped to zero, as the kernel does) and then a
     * {@link KernelBug} reports it.
     */
    public void uncharge(long nrPages) {
        PageCounter underflow = null;
        long underflowValue = 0;
        for (PageCounter c = this; c != null; c = c.parent) {
            long now = c.cancel(nrPages);
            if (now < 0 && underflow == null) {
                underflow = c;
                underflowValue = now;
            }
        }
        if (underflow != null) {
            throw new KernelBug(String.format(Locale.ROOT,
                    "WARNING: page_counter underflow: %d nr_pages=%d", underflowValue, nrPages));
        }
    }

    /** {@code page_counter_cancel}: one level; returns the raw new usage (negative on underflow). */
    private long cancel(long nrPages) {
        long now = usage.addAndGet(-nrPages);
        if (now < 0) {
            usage.set(0);
            underflows.incrementAndGet();
        }
        return now;
    }

    /**
     * How many uncharges took this level below zero: the kernel's WARN is a one-off line in
     * dmesg, this count stays for the consistency check to find even when the
     * {@link KernelBug} of {@link #uncharge} was caught.
     */
    public long underflows() {
        return underflows.get();
    }

    /**
     * {@code page_counter_set_max}: sets the limit unless usage is already above it.
     *
     * @return 0, or {@code -EBUSY} when usage exceeds {@code nrPages}
     */
    public int setMax(long nrPages) {
        while (true) {
            long before = usage.get();
            if (before > nrPages) {
                return Errno.EBUSY.negative();
            }
            long old = max;
            max = nrPages;
            // A charge that raced past the old limit shows up as grown usage: undo and retry.
            if (usage.get() <= before) {
                return 0;
            }
            max = old;
        }
    }

    /**
     * Sets the limit unconditionally, as {@code memory.max} writes do ({@code xchg} of max);
     * usage may stay above it until something is freed.
     *
     * @return the previous limit
     */
    public long exchangeMax(long nrPages) {
        long old = max;
        max = nrPages;
        return old;
    }

    /** {@code page_counter_reset_watermark}: both peaks restart from the current usage. */
    public void resetWatermark() {
        long now = usage.get();
        localWatermark = now;
        watermark = now;
    }

    /** Restarts only the local peak ({@code memory.peak} write, 6.12+); returns the usage. */
    public long resetLocalWatermark() {
        long now = usage.get();
        localWatermark = now;
        return now;
    }

    /**
     * {@code page_counter_memparse}: {@code maxToken} means {@link #PAGE_COUNTER_MAX}, otherwise
     * {@link Memparse} bytes rounded down to pages and capped at the maximum (so an overlong
     * number is accepted modulo 2^64); anything left over after the number is {@code -EINVAL}.
     *
     * @param buf the already whitespace-stripped text
     * @return the page count, or {@code -EINVAL}
     */
    public static long memparse(String buf, String maxToken) {
        if (buf.equals(maxToken)) {
            return PAGE_COUNTER_MAX;
        }
        Memparse m = Memparse.parse(buf);
        if (m.end() != buf.length()) {
            return Errno.EINVAL.negative();
        }
        return Math.min(Long.divideUnsigned(m.bytes(), MemMap.PAGE_SIZE), PAGE_COUNTER_MAX);
    }

    private void raiseWatermarks(long now) {
        // Racy like the kernel's: local_watermark <= watermark, so test the local one first.
        if (now > localWatermark) {
            localWatermark = now;
            if (now > watermark) {
                watermark = now;
            }
        }
    }

    @Override
    public String toString() {
        return "page_counter(usage=" + read() + ", max=" + (max == PAGE_COUNTER_MAX ? "max" : max) + ")";
    }
}
