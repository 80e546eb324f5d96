package org.mmemu.bpf;

import static org.mmemu.core.page.Gfp.GFP_USER;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import org.mmemu.core.Errno;
import org.mmemu.core.maccess.KernelMemory;

/**
 * {@code BPF_MAP_TYPE_PERCPU_ARRAY} (kernel/bpf/arraymap.c: {@code array_map_alloc},
 * {@code bpf_array_alloc_percpu}, {@code bpf_percpu_array_copy}, {@code bpf_percpu_array_update},
 * {@code bpf_array_free_percpu}): {@code struct bpf_array} with a pointer per entry from
 * {@code bpf_map_area_alloc}, and each entry a percpu allocation of {@code elem_size} bytes. User
 * space reads and writes all CPUs' values at once, each 8-byte aligned.
 */
final class BpfPercpuArray extends BpfMap {
    private final KernelMemory kernelMemory;
    private final int nrCpus;
    private final int elemSize;
    private long area;
    /** {@code array->pptrs}. */
    private final PercpuAlloc.Percpu[] pptrs;

    BpfPercpuArray(int valueSize, int maxEntries, int mapFlags, int nrCpus, BpfMapMemory memory,
                   KernelMemory kernelMemory) {
        super(BpfMapType.PERCPU_ARRAY, Integer.BYTES, valueSize, maxEntries, mapFlags, memory);
        this.kernelMemory = kernelMemory;
        this.nrCpus = nrCpus;
        this.elemSize = BpfArray.roundUp8(valueSize);
        this.pptrs = new PercpuAlloc.Percpu[maxEntries];
    }

    @Override
    public int userValueSize() {
        return elemSize * nrCpus;
    }

    @Override
    int alloc() {
        long arraySize = BpfArray.BPF_ARRAY_SIZE + (long) maxEntries * Long.BYTES;
        int ret = memory.chargeInit(this, arraySize + (long) maxEntries * elemSize * nrCpus);
        if (ret < 0) {
            return ret;
        }
        area = memory.areaAlloc(arraySize, false);
        if (area == 0) {
            memory.chargeFinish(this);
            return Errno.ENOMEM.negative();
        }
        for (int i = 0; i < maxEntries; i++) {
            pptrs[i] = memory.allocPercpu(this, elemSize, GFP_USER | __GFP_NOWARN);
            if (pptrs[i] == null) {
                free();
                memory.chargeFinish(this);
                return Errno.ENOMEM.negative();
            }
        }
        return 0;
    }

    @Override
    int lookupElem(byte[] key, byte[] out) {
        long index = BpfArray.index(key);
        if (index >= maxEntries) {
            return Errno.ENOENT.negative();
        }
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            kernelMemory.read(pptrs[(int) index].perCpuPtr(cpu), out, cpu * elemSize, elemSize);
        }
        return 0;
    }

    @Override
    int updateElem(byte[] key, byte[] in, long flags) {
        if (Long.compareUnsigned(flags, BpfUpdateFlags.EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        long index = BpfArray.index(key);
        if (index >= maxEntries) {
            return Errno.E2BIG.negative();
        }
        if (flags == BpfUpdateFlags.NOEXIST) {
            return Errno.EEXIST.negative();
        }
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            kernelMemory.write(pptrs[(int) index].perCpuPtr(cpu), in, cpu * elemSize, valueSize);
        }
        return 0;
    }

    @Override
    int deleteElem(byte[] key) {
        return Errno.EINVAL.negative();
    }

    @Override
    void free() {
        for (int i = 0; i < maxEntries && pptrs[i] != null; i++) {
            memory.freePercpu(pptrs[i]);
            pptrs[i] = null;
        }
        memory.areaFree(area);
        area = 0;
    }
}
