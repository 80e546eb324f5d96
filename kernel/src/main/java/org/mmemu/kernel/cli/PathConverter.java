package org.mmemu.kernel.cli;

import java.util.stream.Collectors;
import org.mmemu.kernel.escape.EscapePath;
import org.mmemu.kernel.escape.EscapePaths;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts an escape path's name ("pipe", "x86-pgtables"). */
final class PathConverter implements ITypeConverter<EscapePath> {
    @Override
    public EscapePath convert(String value) {
        return EscapePaths.byName(value).orElseThrow(() -> new TypeConversionException(
                "unknown path '" + value + "'; expected one of " + names()));
    }

    /** Every path's name, comma-separated. */
    static String names() {
        return EscapePaths.ALL.stream().map(EscapePath::name).collect(Collectors.joining(", "));
    }
}
