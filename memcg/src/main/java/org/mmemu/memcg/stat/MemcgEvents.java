package org.mmemu.memcg.stat;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code memcg->memory_events} and {@code memory_events_local}: atomic event counters. An event
 * counts once locally and once in this cgroup and every ancestor below the root (the root has
 * no memory.events file), as {@code memcg_memory_event} does.
 */
public final class MemcgEvents {
    private static final int N = MemcgEvent.values().length;

    private final MemcgEvents parent;
    private final AtomicLongArray hierarchical = new AtomicLongArray(N);
    private final AtomicLongArray local = new AtomicLongArray(N);

    public MemcgEvents(MemcgEvents parent) {
        this.parent = parent;
    }

    /** {@code memcg_memory_event(memcg, event)}. */
    public void raise(MemcgEvent event) {
        int i = event.ordinal();
        local.incrementAndGet(i);
        MemcgEvents e = this;
        do {
            e.hierarchical.incrementAndGet(i);
            e = e.parent;
        } while (e != null && e.parent != null);
    }

    /** The memory.events value: this cgroup and its descendants. */
    public long hierarchical(MemcgEvent event) {
        return hierarchical.get(event.ordinal());
    }

    /** The memory.events.local value: this cgroup alone. */
    public long local(MemcgEvent event) {
        return local.get(event.ordinal());
    }
}
