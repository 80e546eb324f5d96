package org.mmemu.it.walk;

/** The walk's keys: an array's index, or a hash key with the number in its first four bytes, little endian as x86 reads a u32. */
final class BpfMapKeys {
    private BpfMapKeys() {
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
