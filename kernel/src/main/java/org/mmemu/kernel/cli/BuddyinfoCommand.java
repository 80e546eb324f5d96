package org.mmemu.kernel.cli;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.Zone;
import org.mmemu.core.page.Page;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mmemu buddyinfo}: boots a machine, optionally runs a seeded random allocation workload
 * that keeps what it allocated, and prints {@code /proc/buddyinfo} the way the kernel does.
 */
@Command(name = "buddyinfo", mixinStandardHelpOptions = true,
        description = "Boot a machine, optionally fragment it, and print /proc/buddyinfo.")
final class BuddyinfoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--memory", defaultValue = "64M", description = "Emulated memory (default ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--steps", defaultValue = "0", description = "Random alloc/free steps to run first.")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the workload.")
    long seed;

    @Override
    public void run() {
        PageAllocator alloc = Injectors.strict(new MmCoreModule(MemoryConfig.of(memory)))
                .getInstance(PageAllocator.class);
        fragment(alloc);
        alloc.drainAllPages();
        PrintWriter out = spec.commandLine().getOut();
        Zone zone = alloc.zone();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "Node 0, zone %8s", zone.name()));
        for (int order = 0; order < Zone.MAX_ORDER; order++) {
            line.append(String.format(Locale.ROOT, " %6d", zone.nrFree(order)));
        }
        out.println(line);
        out.flush();
    }

    private void fragment(PageAllocator alloc) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Page> held = new ArrayList<>();
        List<Integer> orders = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            if (!held.isEmpty() && rnd.nextInt(3) == 0) {
                int k = rnd.nextInt(held.size());
                alloc.freePages(held.remove(k), orders.remove(k));
            } else {
                int order = rnd.nextInt(4);
                Page p = alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, order);
                if (p != null) {
                    held.add(p);
                    orders.add(order);
                }
            }
        }
    }
}
