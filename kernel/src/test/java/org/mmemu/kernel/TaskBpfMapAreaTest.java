package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.BpfTesting.settle;

import java.util.ArrayList;
import java.util.List;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.cred.Prlimit;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.Gfp;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;
import org.mmemu.kernel.junit.Eras;

/**
 * Which memory a BPF map's areas get. Up to 4.10 ({@code array_map_alloc}, {@code htab_map_alloc}
 * of 4.8.15) an array, and a hash's buckets, are kzalloc'd whatever their size, so a large one
 * is a {@code kmalloc_large} compound block, and vzalloc'd only if that fails (no free block of
 * the order, or an order the page allocator refuses); a hash's preallocated elements are always
 * vzalloc'd. From 4.11 {@code bpf_map_area_alloc} vmallocs anything above 32 KiB
 * ({@link TaskBpfChargeTest#theValueAreaIsKmallocdUpTo32KiBAndVmallocdAbove}).
 */
class TaskBpfMapAreaTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    /** {@code sizeof(struct bpf_array)}: the area's header. */
    private static final int BPF_ARRAY_SIZE = 272;
    /** 64 KiB of 8-byte values: above 32 KiB. */
    private static final int ENTRIES = 16 * PAGE / 8;
    /** 4 MiB of 8-byte values: a block of order {@code MAX_ORDER} with the header. */
    private static final int HUGE_ENTRIES = 1024 * PAGE / 8;

    /** What the machine's memory is made of, for the area of {@code size} bytes. */
    private record Memory(int vmallocAreas, long vmallocPages, int blocks) {
        static Memory of(Kernel k, long size) {
            return new Memory(k.get(Vmalloc.class).nrAreas(), k.get(VmStat.class).read(VmStatItem.NR_VMALLOC),
                    compoundBlocks(k, order(size)));
        }

        Memory minus(Memory o) {
            return new Memory(vmallocAreas - o.vmallocAreas, vmallocPages - o.vmallocPages, blocks - o.blocks);
        }
    }

    /** {@code get_order(size)}. */
    private static int order(long size) {
        int order = 0;
        while ((long) PAGE << order < size) {
            order++;
        }
        return order;
    }

    /** Allocated compound blocks of {@code order} (slab pages are smaller than the orders here). */
    private static int compoundBlocks(Kernel k, int order) {
        MemMap memMap = k.get(MemMap.class);
        int n = 0;
        for (int pfn = 0; pfn < memMap.nrPages(); pfn++) {
            Page p = memMap.page(pfn);
            if (p != null && p.testFlag(PageFlags.PG_head) && CompoundHead.compoundOrder(memMap, p) == order) {
                n++;
            }
        }
        return n;
    }

    /** A root task without a memlock limit ({@code setrlimit}, as libbpf does), so that any map fits. */
    private static Task unlimited(Kernel k) {
        Task t = k.spawn("/");
        try (Tasks.TaskScope running = k.enter(t)) {
            assertThat(k.get(Prlimit.class).setrlimit(t.taskStruct(), Rlimits.RLIMIT_MEMLOCK,
                    Rlimits.RLIM_INFINITY, Rlimits.RLIM_INFINITY)).isZero();
        }
        return t;
    }

    private static long arraySize(int entries) {
        return BPF_ARRAY_SIZE + (long) entries * 8;
    }

    /** Creates an array of {@code entries} 8-byte values: what its area took, and closes it. */
    private static Memory arrayArea(Kernel k, Task t, int entries) {
        Memory before = Memory.of(k, arraySize(entries));
        int fd = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, entries, 0);
        Memory grown = Memory.of(k, arraySize(entries)).minus(before);
        t.close(fd);
        settle(k);
        assertThat(Memory.of(k, arraySize(entries))).as("the closed map's memory freed").isEqualTo(before);
        return grown;
    }

    private static long pages(long size) {
        return MemMap.pageAlign(size) / PAGE;
    }

    @Eras(value = {Era.V4_7, Era.V4_8}, memory = "64M")
    void upTo48ALargeArrayIsOneKmallocLargeBlock(Kernel k) {
        Task t = unlimited(k);
        assertThat(arrayArea(k, t, ENTRIES)).as("kzalloc: a compound block, no vmalloc")
                .isEqualTo(new Memory(0, 0, 1));
    }

    @Eras(from = Era.V4_18, memory = "64M")
    void from418ALargeArrayIsVmallocd(Kernel k) {
        Task t = unlimited(k);
        assertThat(arrayArea(k, t, ENTRIES)).as("bpf_map_area_alloc: vmalloc above 32 KiB")
                .isEqualTo(new Memory(1, pages(arraySize(ENTRIES)), 0));
    }

    @Eras(memory = "64M")
    void anArrayOfMaxOrderIsVzallocdInEveryEra(Kernel k) {
        Task t = unlimited(k);
        assertThat(order(arraySize(HUGE_ENTRIES))).as("MAX_ORDER").isEqualTo(11);
        Memory grown = arrayArea(k, t, HUGE_ENTRIES);
        assertThat(grown.blocks()).as("no block of the order").isZero();
        // The area, and its page array (vmalloc'd too, as __vmalloc_area_node does above a page).
        assertThat(grown.vmallocAreas()).isPositive();
        assertThat(grown.vmallocPages()).isGreaterThanOrEqualTo(pages(arraySize(HUGE_ENTRIES)));
    }

    /**
     * A machine with no free block of the area's order: every block of the order below is taken
     * and every other one given back, so the free memory is plenty but in blocks too small.
     */
    @Eras(value = {Era.V4_7, Era.V4_8}, memory = "64M")
    void upTo48AFragmentedMachineVzallocsTheLargeArray(Kernel k) {
        Task t = unlimited(k);
        PageAllocator allocator = k.get(PageAllocator.class);
        int smaller = order(arraySize(ENTRIES)) - 1;
        List<Page> held = new ArrayList<>();
        for (Page p; (p = allocator.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, smaller)) != null; ) {
            held.add(p);
        }
        List<Page> kept = new ArrayList<>();
        for (int i = 0; i < held.size(); i++) {
            if (i % 2 == 0) {
                allocator.freePages(held.get(i), smaller);
            } else {
                kept.add(held.get(i));
            }
        }
        assertThat(allocator.zone().nrFree(smaller + 1)).as("no block of the order").isZero();

        assertThat(arrayArea(k, t, ENTRIES)).as("the kzalloc failed: vzalloc")
                .isEqualTo(new Memory(1, pages(arraySize(ENTRIES)), 0));
        for (Page p : kept) {
            allocator.freePages(p, smaller);
        }
    }

    /** Creates a hash: the vmalloc areas it added, and closes it. */
    private static int hashVmallocs(Kernel k, Task t, int maxEntries, int flags) {
        Vmalloc vmalloc = k.get(Vmalloc.class);
        int areas = vmalloc.nrAreas();
        int fd = t.bpfMapCreate(BpfMapType.HASH, 8, 8, maxEntries, flags);
        int grown = vmalloc.nrAreas() - areas;
        t.close(fd);
        settle(k);
        assertThat(vmalloc.nrAreas()).as("the closed map's areas freed").isEqualTo(areas);
        return grown;
    }

    @Eras(value = {Era.V4_7, Era.V4_8}, memory = "64M")
    void upTo48AHashsPreallocatedElementsAreVzallocdHoweverSmall(Kernel k) {
        assertThat(hashVmallocs(k, unlimited(k), 16, 0)).isEqualTo(1);
    }

    @Eras(from = Era.V4_18, memory = "64M")
    void from418AHashsSmallElementsAreKmallocd(Kernel k) {
        assertThat(hashVmallocs(k, unlimited(k), 16, 0)).isZero();
    }

    /** 4096 buckets of 16 bytes: 64 KiB. */
    @Eras(value = {Era.V4_7, Era.V4_8}, memory = "64M")
    void upTo48AHashsLargeBucketArrayIsKzallocd(Kernel k) {
        assertThat(hashVmallocs(k, unlimited(k), 4096, BpfMapFlags.NO_PREALLOC)).isZero();
    }

    @Eras(from = Era.V4_18, memory = "64M")
    void from418AHashsLargeBucketArrayIsVmallocd(Kernel k) {
        assertThat(hashVmallocs(k, unlimited(k), 4096, BpfMapFlags.NO_PREALLOC)).isEqualTo(1);
    }
}
