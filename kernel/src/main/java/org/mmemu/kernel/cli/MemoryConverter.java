package org.mmemu.kernel.cli;

import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.MemMapHeap;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converts {@code --memory} ("64M", "4G"; {@code memparse} suffixes) to a machine size, refusing
 * a size out of range and one whose mem_map cannot fit this JVM's heap, before anything is built.
 */
final class MemoryConverter implements ITypeConverter<MemoryConfig> {
    @Override
    public MemoryConfig convert(String value) {
        try {
            MemoryConfig config = MemoryConfig.of(value);
            MemMapHeap.requireFits(config.nrPages());
            return config;
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
