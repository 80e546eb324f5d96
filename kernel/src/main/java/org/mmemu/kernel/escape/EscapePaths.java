package org.mmemu.kernel.escape;

import java.util.List;
import java.util.Optional;

/** Every kernel-memory path the escape matrix drives, in the matrix's row order. */
public final class EscapePaths {
    /** A new path is one line here. */
    public static final List<EscapePath> ALL = List.of(
            new PipeBuffers(),
            UnixSocketBuffers.stream(),
            UnixSocketBuffers.dgram(),
            PageTables.x86(),
            PageTables.s390(),
            new AccountedSlabObjects(),
            AccountedBuffers.vmalloc(),
            AccountedBuffers.kmallocLarge(),
            BpfArrays.array(),
            BpfArrays.mmapable(),
            new ForeignHashElements());

    private EscapePaths() {
    }

    /** The path named {@code name}, if any. */
    public static Optional<EscapePath> byName(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
