package org.mmemu.core.addr;

/**
 * KASAN's quarantine of freed objects (mm/kasan/quarantine.c, {@code quarantine_put},
 * {@code quarantine_reduce}): a freed object is held back from reuse for a while, so a use of it
 * in that time is reported, and the oldest ones are released once the quarantine is full. The
 * kernel bounds it in bytes ({@code totalram / QUARANTINE_FRACTION}); emulated objects have no
 * size, so this one is bounded in objects.
 *
 * <p>A first-in first-out ring of {@link KernelObjects} slot indices that grows by doubling up
 * to its capacity, so a machine that frees little pays little. Not thread-safe: its owner's
 * lock guards it.
 */
final class Quarantine {
    private final int capacity;
    private int[] ring;
    private int head;
    private int size;

    /** @param capacity the freed objects held before the oldest is released (at least 1) */
    Quarantine(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("quarantine capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.ring = new int[Math.min(16, capacity)];
    }

    /**
     * Quarantines {@code index}.
     *
     * @return the index released to make room for it, or -1 while the quarantine is not full
     */
    int put(int index) {
        int released = -1;
        if (size == capacity) {
            released = ring[head];
            head = (head + 1) % ring.length;
            size--;
        } else if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = index;
        size++;
        return released;
    }

    private void grow() {
        int[] bigger = new int[Math.min(capacity, ring.length * 2)];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }
}
