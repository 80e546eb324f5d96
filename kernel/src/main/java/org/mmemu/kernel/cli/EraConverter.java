package org.mmemu.kernel.cli;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.mmemu.kernel.Era;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts an era named by its version ("4.8", "latest") or its constant ("V4_8"). */
final class EraConverter implements ITypeConverter<Era> {
    @Override
    public Era convert(String value) {
        for (Era e : Era.values()) {
            if (e.version().equalsIgnoreCase(value) || e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new TypeConversionException("unknown era '" + value + "'; expected one of "
                + Arrays.stream(Era.values()).map(Era::version).collect(Collectors.joining(", ")));
    }
}
