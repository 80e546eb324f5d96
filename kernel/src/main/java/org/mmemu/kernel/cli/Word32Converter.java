package org.mmemu.kernel.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converts a 32-bit kernel word given in decimal or {@code 0x} hex, signed ({@code -512}) or
 * unsigned ({@code 0xfffffe00}), refusing text that is not a number and numbers wider than
 * 32 bits, which the kernel's {@code int} and {@code gfp_t} cannot hold.
 */
final class Word32Converter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        long v;
        try {
            v = Long.decode(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number (decimal or 0x hex)");
        }
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) {
            throw new TypeConversionException("'" + value + "' does not fit in 32 bits");
        }
        return (int) v;
    }
}
