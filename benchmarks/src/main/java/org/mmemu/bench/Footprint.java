package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import com.google.inject.Injector;
import java.util.Locale;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.MemMap;
import org.openjdk.jol.info.GraphLayout;

/**
 * Target 6 of the benchmark issue, footprint half: the heap the mem_map retains, measured with
 * JOL over the whole object graph of a booted machine's mem_map. Per page, once every page is
 * initialised (a machine that uses all its memory); and in all, for a machine that boots and
 * allocates 1 MiB, which initialises only the sections it needs.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.mmemu.bench.Footprint [size [touched-size]]</pre>
 *
 * measures the first at {@code size} (default 256M), the second at {@code touched-size} (default
 * {@code size}): a 64 GiB machine whose every page is initialised is too large for JOL's walk.
 */
public final class Footprint {
    private static final int ONE_MIB_OF_PAGES = (1 << 20) / MemMap.PAGE_SIZE;

    private Footprint() {
    }

    /**
     * Boots a machine of {@code size}, initialises its whole mem_map and returns the heap bytes
     * the mem_map retains per page.
     */
    static double bytesPerPage(String size) {
        MemMap memMap = boot(size).getInstance(MemMap.class);
        memMap.pfnToPage(0);
        return (double) GraphLayout.parseInstance(memMap).totalSize() / memMap.nrPages();
    }

    /** Boots a machine of {@code size}, allocates 1 MiB and returns the heap its mem_map retains. */
    static long bytesAfterOneMib(String size) {
        Injector machine = boot(size);
        PageAllocator alloc = machine.getInstance(PageAllocator.class);
        for (int i = 0; i < ONE_MIB_OF_PAGES; i++) {
            alloc.allocPage(GFP_KERNEL);
        }
        return GraphLayout.parseInstance(machine.getInstance(MemMap.class)).totalSize();
    }

    private static Injector boot(String size) {
        return Injectors.strict(new MmCoreModule(MemoryConfig.of(size)));
    }

    public static void main(String[] args) {
        String size = args.length > 0 ? args[0] : "256M";
        String touched = args.length > 1 ? args[1] : size;
        System.out.printf(Locale.ROOT, "mem_map of %s, every page initialised: %.2f bytes per page%n",
                size, bytesPerPage(size));
        System.out.printf(Locale.ROOT, "mem_map of %s after boot and 1 MiB allocated: %.1f MiB%n",
                touched, bytesAfterOneMib(touched) / (double) (1 << 20));
    }
}
