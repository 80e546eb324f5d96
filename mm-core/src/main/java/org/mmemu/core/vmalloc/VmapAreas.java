package org.mmemu.core.vmalloc;

import java.util.Map;
import java.util.TreeMap;

/**
 * The busy vmap areas ({@code vmap_area_root}) and the first-fit search for a free range
 * ({@code alloc_vmap_area}): the lowest aligned gap in {@code [vstart, vend)} that fits.
 * Freed ranges are reusable at once (the kernel purges lazily; immediate reuse keeps the
 * emulator deterministic). Addresses compare unsigned: they live at the top of the space.
 */
final class VmapAreas {
    private final TreeMap<Long, VmStruct> busy = new TreeMap<>(Long::compareUnsigned);

    /** Reserves {@code size} bytes aligned to {@code align} in {@code [vstart, vend)}; null if full. */
    synchronized VmStruct alloc(long size, long align, long flags, long vstart, long vend) {
        long candidate = alignUp(vstart, align);
        Map.Entry<Long, VmStruct> below = busy.floorEntry(candidate);
        Iterable<VmStruct> from = below == null ? busy.tailMap(candidate, true).values()
                : busy.tailMap(below.getKey(), true).values();
        for (VmStruct area : from) {
            long areaEnd = area.addr() + area.size();
            if (Long.compareUnsigned(areaEnd, candidate) <= 0) {
                continue;
            }
            if (Long.compareUnsigned(area.addr(), candidate) >= 0
                    && Long.compareUnsigned(area.addr() - candidate, size) >= 0) {
                break;
            }
            candidate = alignUp(areaEnd, align);
        }
        if (Long.compareUnsigned(candidate, vend) >= 0 || Long.compareUnsigned(vend - candidate, size) < 0) {
            return null;
        }
        VmStruct area = new VmStruct(candidate, size, flags);
        busy.put(candidate, area);
        return area;
    }

    /** {@code find_vm_area}: the area containing {@code addr} (guard page included), or null. */
    synchronized VmStruct find(long addr) {
        Map.Entry<Long, VmStruct> e = busy.floorEntry(addr);
        return e != null && e.getValue().contains(addr) ? e.getValue() : null;
    }

    /** {@code find_unlink_vmap_area}: removes and returns the area containing {@code addr}. */
    synchronized VmStruct remove(long addr) {
        VmStruct area = find(addr);
        if (area != null) {
            busy.remove(area.addr());
        }
        return area;
    }

    synchronized int size() {
        return busy.size();
    }

    private static long alignUp(long addr, long align) {
        return (addr + align - 1) & -align;
    }
}
