package org.mmemu.kernel.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converts a number given in decimal or {@code 0x} hex that must lie in a range, refusing text
 * that is not a number and numbers outside the range, each with a one-line reason.
 */
abstract class NumberConverter implements ITypeConverter<Integer> {
    private final long min;
    private final long max;
    private final String outOfRange;

    /** Accepts {@code min..max}; a value outside is "'value' " + {@code outOfRange}. */
    NumberConverter(long min, long max, String outOfRange) {
        this.min = min;
        this.max = max;
        this.outOfRange = outOfRange;
    }

    @Override
    public Integer convert(String value) {
        long v;
        try {
            v = Long.decode(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number (decimal or 0x hex)");
        }
        if (v < min || v > max) {
            throw new TypeConversionException("'" + value + "' " + outOfRange);
        }
        return (int) v;
    }
}
