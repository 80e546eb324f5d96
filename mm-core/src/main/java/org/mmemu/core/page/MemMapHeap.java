package org.mmemu.core.page;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Whether a mem_map fits the Java heap: the emulator's counterpart of {@code alloc_node_mem_map}
 * failing at boot, checked before any {@link Page} is created, so that a machine too large for
 * the heap is refused at once instead of thrashing the garbage collector until the JVM dies.
 *
 * <p>A page costs its {@link Page} object (44 bytes of fields under a 12-byte header, or 16 bytes
 * without compressed class pointers, padded to 8) and its reference in the mem_map array (4 bytes
 * with compressed references, 8 without): 60 bytes on a default JVM under 32 GiB of heap.
 * PageFootprintTest checks {@link #bytesPerPage()} against JOL's measurement of the running JVM.
 */
public final class MemMapHeap {
    private static final int FIELD_BYTES = 3 * Long.BYTES + 5 * Integer.BYTES;
    private static final int BYTES_PER_PAGE = measure();
    /** Heap for everything but the mem_map: the allocator, the log, a test's own objects. */
    private static final long ROOM = 64L << 20;

    private MemMapHeap() {
    }

    /** The heap one emulated page costs in this JVM: its object and its mem_map slot. */
    public static int bytesPerPage() {
        return BYTES_PER_PAGE;
    }

    /** The heap the mem_map of {@code nrPages} pages needs. */
    public static long bytesFor(long nrPages) {
        return nrPages * BYTES_PER_PAGE;
    }

    /**
     * Refuses a mem_map of {@code nrPages} pages that, with a quarter more and 64 MiB of room
     * for the rest of the machine and its workload, needs more than the JVM's maximum heap
     * ({@link Runtime#maxMemory()}).
     *
     * @throws IllegalArgumentException naming the heap needed and the heap there is
     */
    public static void requireFits(long nrPages) {
        long memMap = bytesFor(nrPages);
        long needed = memMap + memMap / 4 + ROOM;
        long max = Runtime.getRuntime().maxMemory();
        if (needed > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s of memory needs %s of Java heap for its mem_map (%d pages x %d bytes) and"
                            + " %s with room to run, but this JVM may use at most %s"
                            + " (Runtime.maxMemory()): give java -Xmx%dg or more, or emulate less memory",
                    size(nrPages << MemMap.PAGE_SHIFT), size(memMap), nrPages, BYTES_PER_PAGE,
                    size(needed), size(max), (needed >>> 30) + 1));
        }
    }

    /** A byte count in the largest binary unit that keeps one decimal, e.g. {@code 15.0G}. */
    private static String size(long bytes) {
        String units = "KMGT";
        double v = bytes;
        int unit = -1;
        while (v >= 1024 && unit < units.length() - 1) {
            v /= 1024;
            unit++;
        }
        return unit < 0 ? bytes + "B" : String.format(Locale.ROOT, "%.1f%c", v, units.charAt(unit));
    }

    private static int measure() {
        boolean compressedOops;
        boolean compressedClassPointers;
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            compressedOops = Boolean.parseBoolean(vm.getVMOption("UseCompressedOops").getValue());
            compressedClassPointers = Boolean.parseBoolean(vm.getVMOption("UseCompressedClassPointers").getValue());
        } catch (RuntimeException | LinkageError notHotSpot) {
            // Assume the largest layout: a check that refuses too early beats one that lets the
            // JVM run out of heap.
            compressedOops = false;
            compressedClassPointers = false;
        }
        int header = compressedClassPointers ? 12 : 16;
        int object = (header + FIELD_BYTES + 7) & ~7;
        return object + (compressedOops ? 4 : 8);
    }
}
