package org.mmemu.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code refcount_t} (include/linux/refcount.h) of one kernel object, starting at one: a get on
 * an object whose count reached zero is a use after free, a put below zero an underflow, and
 * both are {@link KernelBug}s naming the object.
 */
public final class Refcount {
    private final AtomicInteger count = new AtomicInteger(1);
    private final Object owner;

    /** The count of {@code owner}, which names the object in reports. */
    public Refcount(Object owner) {
        this.owner = owner;
    }

    /** {@code refcount_read}. */
    public int read() {
        return count.get();
    }

    /** {@code refcount_inc}: the object must be live. */
    public void get() {
        if (count.getAndIncrement() <= 0) {
            count.getAndDecrement();
            throw new KernelBug("refcount_inc on " + owner + " whose count had dropped to 0 (use after free)");
        }
    }

    /**
     * {@code refcount_dec_and_test}.
     *
     * @return whether this put dropped the last reference
     */
    public boolean put() {
        int now = count.decrementAndGet();
        if (now < 0) {
            count.getAndIncrement();
            throw new KernelBug("refcount underflow on " + owner + " (put of a freed object)");
        }
        return now == 0;
    }
}
