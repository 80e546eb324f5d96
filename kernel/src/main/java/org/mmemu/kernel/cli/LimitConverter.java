package org.mmemu.kernel.cli;

import org.mmemu.core.MemoryConfig;
import org.mmemu.kernel.escape.EscapeMatrix;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts {@code --limit} ("8M"; {@code memparse} suffixes) to bytes the escape matrix takes. */
final class LimitConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return EscapeMatrix.requireLimit(MemoryConfig.memparse(value));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
