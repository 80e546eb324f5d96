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

    public static void main(String[] args) {
        String size = args.length > 0 ? args[0] : "256M";
        MemMap memMap = Injectors.strict(new MmCoreModule(MemoryConfig.of(size)))
                .getInstance(MemMap.class);
        GraphLayout layout = GraphLayout.parseInstance(memMap);
        System.out.printf(Locale.ROOT, "mem_map of %s: %d pages, %d bytes retained, %.2f bytes per page%n",
                size, memMap.nrPages(), layout.totalSize(),
                (double) layout.totalSize() / memMap.nrPages());
    }
}
