package org.mmemu.bpf;

import org.mmemu.core.Errno;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.vmalloc.Vmalloc;

/**
 * {@code BPF_MAP_TYPE_ARRAY} (kernel/bpf/arraymap.c: {@code array_map_alloc},
 * {@code array_map_lookup_elem}, {@code array_map_update_elem}, {@code array_map_delete_elem},
 * {@code array_map_mmap}, {@code array_map_free}): {@code struct bpf_array} and its values in
 * one area from {@code bpf_map_area_alloc}; for {@code BPF_F_MMAPABLE} a vmalloc'd area whose
 * values start on the page after the header, so that they can be mapped page by page.
 */
final class BpfArray extends BpfMap {
    /** {@code sizeof(struct bpf_array)}: the map, {@code elem_size}, {@code index_mask}, {@code aux}. */
    static final int BPF_ARRAY_SIZE = BPF_MAP_SIZE + 16;

    private final KernelMemory kernelMemory;
    private final Vmalloc vmalloc;
    private final boolean bypassSpecV1;
    /** {@code array->elem_size}: the value rounded up to 8 bytes. */
    final int elemSize;
    /** The area {@code bpf_map_area_alloc} returned. */
    private long area;
    /** {@code array->value}: the first value. */
    private long value;

    /**
     * @param bypassSpecV1 {@code bpf_bypass_spec_v1()}: a privileged creator; otherwise
     *     {@code max_entries} is rounded up to a power of two against speculation
     */
    BpfArray(int valueSize, int maxEntries, int mapFlags, boolean bypassSpecV1, BpfMapMemory memory,
             KernelMemory kernelMemory, Vmalloc vmalloc) {
        super(BpfMapType.ARRAY, Integer.BYTES, valueSize, maxEntries, mapFlags, memory);
        this.kernelMemory = kernelMemory;
        this.vmalloc = vmalloc;
        this.bypassSpecV1 = bypassSpecV1;
        this.elemSize = roundUp8(valueSize);
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }

    private boolean mmapable() {
        return (mapFlags & BpfMapFlags.MMAPABLE) != 0;
    }

    @Override
    int alloc() {
        long entries = maxEntries;
        if (!bypassSpecV1) {
            entries = roundupPowOfTwo(maxEntries);
            if (entries > 0xffffffffL) {
                return Errno.E2BIG.negative();
            }
        }
        long arraySize = mmapable()
                ? MemMap.pageAlign(BPF_ARRAY_SIZE) + MemMap.pageAlign(entries * elemSize)
                : BPF_ARRAY_SIZE + entries * elemSize;
        int ret = memory.chargeInit(this, arraySize);
        if (ret < 0) {
            return ret;
        }
        area = memory.areaAlloc(arraySize, mmapable());
        if (area == 0) {
            memory.chargeFinish(this);
            return Errno.ENOMEM.negative();
        }
        value = area + (mmapable() ? MemMap.pageAlign(BPF_ARRAY_SIZE) : BPF_ARRAY_SIZE);
        return 0;
    }

    /** The index a 4-byte key names (little endian, as x86 reads a u32). */
    static long index(byte[] key) {
        return (key[0] & 0xffL) | (key[1] & 0xffL) << 8 | (key[2] & 0xffL) << 16 | (key[3] & 0xffL) << 24;
    }

    @Override
    int lookupElem(byte[] key, byte[] out) {
        long index = index(key);
        if (index >= maxEntries) {
            return Errno.ENOENT.negative();
        }
        kernelMemory.read(value + index * elemSize, out, 0, valueSize);
        return 0;
    }

    @Override
    int updateElem(byte[] key, byte[] in, long flags) {
        if (Long.compareUnsigned(flags, BpfUpdateFlags.EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        long index = index(key);
        if (index >= maxEntries) {
            return Errno.E2BIG.negative();
        }
        if (flags == BpfUpdateFlags.NOEXIST) {
            return Errno.EEXIST.negative();
        }
        kernelMemory.write(value + index * elemSize, in, 0, valueSize);
        return 0;
    }

    @Override
    int deleteElem(byte[] key) {
        return Errno.EINVAL.negative();
    }

    @Override
    boolean hasMmap() {
        return true;
    }

    @Override
    int mmap(Vma vma) {
        if (!mmapable()) {
            return Errno.EINVAL.negative();
        }
        long len = vma.end() - vma.start();
        if (vma.pgoff() * MemMap.PAGE_SIZE + len > MemMap.pageAlign((long) maxEntries * elemSize)) {
            return Errno.EINVAL.negative();
        }
        return vmalloc.remapVmallocRange(vma, area, vma.pgoff() + (MemMap.pageAlign(BPF_ARRAY_SIZE) >>> MemMap.PAGE_SHIFT));
    }

    @Override
    void free() {
        memory.areaFree(area);
        area = 0;
    }
}
