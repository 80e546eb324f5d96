package org.mmemu.kernel.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts a count that cannot be negative, such as {@code --steps}. */
final class CountConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number up to "
                    + Integer.MAX_VALUE);
        }
        if (n < 0) {
            throw new TypeConversionException("'" + value + "' is negative: a count must be 0 or more");
        }
        return n;
    }
}
