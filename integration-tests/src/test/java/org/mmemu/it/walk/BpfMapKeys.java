package org.mmemu.it.walk;

import java.util.List;
import java.util.SplittableRandom;

/** The walk's keys: an array's index, or a hash key with the number in its first four bytes, little endian as x86 reads a u32. */
final class BpfMapKeys {
    private BpfMapKeys() {
    }

    /**
     * A key number for an action on {@code map}: one the hash holds half of the time (so that
     * updates replace and deletes find), else any up to a few past {@code max_entries} (so
     * that indexes fall out of range and hashes fill up).
     */
    static int pick(ModelBpfMap map, SplittableRandom rnd) {
        if (!map.elements.isEmpty() && rnd.nextBoolean()) {
            return World.pick(List.copyOf(map.elements.keySet()), rnd);
        }
        return rnd.nextInt(map.maxEntries + 4);
    }

    /** The key of number {@code n} for {@code map}. */
    static byte[] key(ModelBpfMap map, int n) {
        byte[] key = new byte[map.keySize];
        for (int i = 0; i < Integer.BYTES; i++) {
            key[i] = (byte) (n >>> 8 * i);
        }
        return key;
    }
}
