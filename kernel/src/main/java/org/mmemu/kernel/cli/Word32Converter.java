package org.mmemu.kernel.cli;

/**
 * Converts a 32-bit kernel word, signed ({@code -512}) or unsigned ({@code 0xfffffe00}), refusing
 * numbers wider than the kernel's {@code int} and {@code gfp_t} can hold.
 */
final class Word32Converter extends NumberConverter {
    Word32Converter() {
        super(Integer.MIN_VALUE, 0xffffffffL, "does not fit in 32 bits");
    }
}
