package org.mmemu.kernel.cli;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.io.PrintWriter;
import java.util.Arrays;
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

    @Option(names = "--memory", defaultValue = "64M", converter = MemoryConverter.class,
            description = "Emulated memory, 4M to 4T and what the Java heap holds (default ${DEFAULT-VALUE}).")
    MemoryConfig memory;

    @Option(names = "--steps", defaultValue = "0", converter = CountConverter.class,
            description = "Random alloc/free steps to run first (0 or more).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the workload.")
    long seed;

    @Override
    public void run() {
        PageAllocator alloc = Injectors.strict(new MmCoreModule(memory)).getInstance(PageAllocator.class);
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

    /**
     * Each step frees a random held block (one time in three) or allocates one of order 0 to 3.
     * A freed block's slot is filled with the last held one, so a step costs O(1) however many
     * blocks are held.
     */
    private void fragment(PageAllocator alloc) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Progress progress = new Progress(spec.commandLine().getErr(), "buddyinfo", steps);
        Page[] held = new Page[1024];
        int[] orders = new int[held.length];
        int nrHeld = 0;
        for (int i = 0; i < steps; i++) {
            progress.step(i);
            if (nrHeld > 0 && rnd.nextInt(3) == 0) {
                int k = rnd.nextInt(nrHeld);
                alloc.freePages(held[k], orders[k]);
                nrHeld--;
                held[k] = held[nrHeld];
                orders[k] = orders[nrHeld];
                held[nrHeld] = null;
            } else {
                int order = rnd.nextInt(4);
                Page p = alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, order);
                if (p != null) {
                    if (nrHeld == held.length) {
                        held = Arrays.copyOf(held, nrHeld * 2);
                        orders = Arrays.copyOf(orders, nrHeld * 2);
                    }
                    held[nrHeld] = p;
                    orders[nrHeld] = order;
                    nrHeld++;
                }
            }
        }
    }
}
