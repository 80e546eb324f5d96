package org.mmemu.bench;

import java.util.Locale;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.page.MemMap;
import org.openjdk.jol.info.GraphLayout;

/**
 * Target 6 of the benchmark issue, footprint half: the heap the mem_map retains per emulated
 * page, measured with JOL over the whole object graph of a booted machine's mem_map.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.mmemu.bench.Footprint [size]</pre>
 */
public final class Footprint {
    private Footprint() {
    }

    /** Boots a machine of {@code size} and returns the heap bytes its mem_map retains per page. */
    static double bytesPerPage(String size) {
        MemMap memMap = Injectors.strict(new MmCoreModule(MemoryConfig.of(size)))
                .getInstance(MemMap.class);
        return (double) GraphLayout.parseInstance(memMap).totalSize() / memMap.nrPages();
    }

    public static void main(String[] args) {
        String size = args.length > 0 ? args[0] : "256M";
        System.out.printf(Locale.ROOT, "mem_map of %s: %.2f bytes per page%n", size, bytesPerPage(size));
    }
}
