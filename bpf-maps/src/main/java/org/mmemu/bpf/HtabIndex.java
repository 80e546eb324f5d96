package org.mmemu.bpf;

import java.util.Arrays;

/**
 * Which key is in which element of a {@link BpfHtab}: the Java stand-in for the bucket lists
 * ({@code htab_map_hash} + {@code lookup_elem_raw}), an open-addressing table of key bytes to
 * element addresses with linear probing and backward-shift deletion, so that a lookup
 * allocates nothing and boxes nothing. It grows by doubling; the element count stays within
 * {@code max_entries} (plus one while a replacement is in flight).
 */
final class HtabIndex {
    private static final int INITIAL_CAPACITY = 16;

    private byte[][] keys = new byte[INITIAL_CAPACITY][];
    private long[] elems = new long[INITIAL_CAPACITY];
    private int[] hashes = new int[INITIAL_CAPACITY];
    private int size;

    /** The number of keys. */
    int size() {
        return size;
    }

    /** The element of {@code key}, or 0. */
    long get(byte[] key) {
        int i = find(key, hash(key));
        return keys[i] == null ? 0 : elems[i];
    }

    /**
     * Records that {@code key} (which the index keeps: pass a copy) is in {@code elem}.
     *
     * @return the element the key was in before, or 0
     */
    long put(byte[] key, long elem) {
        int h = hash(key);
        int i = find(key, h);
        if (keys[i] != null) {
            long old = elems[i];
            elems[i] = elem;
            return old;
        }
        keys[i] = key;
        elems[i] = elem;
        hashes[i] = h;
        if (++size * 2 > keys.length) {
            grow();
        }
        return 0;
    }

    /** Removes {@code key}: its element, or 0 if it was not there. */
    long remove(byte[] key) {
        int mask = keys.length - 1;
        int i = find(key, hash(key));
        if (keys[i] == null) {
            return 0;
        }
        long old = elems[i];
        // Backward shift: pull each later key of the run into the hole unless its home lies after the hole.
        for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            boolean homeInHoleToJ = i <= j ? home > i && home <= j : home > i || home <= j;
            if (!homeInHoleToJ) {
                keys[i] = keys[j];
                elems[i] = elems[j];
                hashes[i] = hashes[j];
                i = j;
            }
        }
        keys[i] = null;
        elems[i] = 0;
        size--;
        return old;
    }

    /** Every element, in no order. */
    long[] elements() {
        long[] all = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                all[n++] = elems[i];
            }
        }
        return all;
    }

    /** Forgets every key. */
    void clear() {
        Arrays.fill(keys, null);
        size = 0;
    }

    /** The slot of {@code key}, or the empty slot where it would go. */
    private int find(byte[] key, int h) {
        int mask = keys.length - 1;
        int i = h & mask;
        while (keys[i] != null && (hashes[i] != h || !Arrays.equals(keys[i], key))) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        byte[][] oldKeys = keys;
        long[] oldElems = elems;
        int[] oldHashes = hashes;
        keys = new byte[oldKeys.length * 2][];
        elems = new long[keys.length];
        hashes = new int[keys.length];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = oldHashes[j] & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                elems[i] = oldElems[j];
                hashes[i] = oldHashes[j];
            }
        }
    }

    /** {@code Arrays.hashCode}, spread so that the low bits that pick a slot mix the high ones. */
    private static int hash(byte[] key) {
        int h = Arrays.hashCode(key);
        return h ^ (h >>> 16);
    }
}
