package org.mmemu.core.alloc;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A static key ({@code static_branch_unlikely}): a reference-counted switch read on hot paths.
 * When off, the guarded code costs one predictable load-and-branch; the kernel patches the
 * branch away, the JIT makes it nearly as cheap.
 */
public final class StaticKey {
    private final String name;
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean enabled;

    public StaticKey(String name) {
        this.name = name;
    }

    /** {@code static_branch_unlikely(&key)}. */
    public boolean isEnabled() {
        return enabled;
    }

    /** {@code static_branch_inc}. */
    public void inc() {
        if (count.incrementAndGet() == 1) {
            enabled = true;
        }
    }

    /** {@code static_branch_dec}. */
    public void dec() {
        int now = count.decrementAndGet();
        if (now < 0) {
            count.incrementAndGet();
            throw new IllegalStateException("static key " + name + " decremented below zero");
        }
        if (now == 0) {
            enabled = false;
        }
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + (enabled ? "=on" : "=off");
    }
}
