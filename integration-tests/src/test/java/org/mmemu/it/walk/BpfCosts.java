package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;
import org.mmemu.kernel.Kernel;
import org.mmemu.slab.Kmalloc;

/**
 * What the walk's BPF maps are made of, as the model needs it: the layout of an array and a hash
 * (kernel/bpf/arraymap.c {@code array_map_alloc}, hashtab.c {@code htab_map_alloc},
 * {@code prealloc_init}, memalloc.c {@code bpf_mem_alloc_init}; x86-64's struct sizes, as
 * {@link SkbCosts} takes the skb's), and what each allocation costs, the slab objects' sizes
 * taken from the emulator's kmalloc caches ({@link Kmalloced}).
 *
 * <p>{@code bpf_map_area_alloc} tries kmalloc for an area of up to {@link #KMALLOC_AREA_MAX} (4.7
 * and 4.8: kzalloc at any size, but never for a hash's elements; {@link ChargeRules}) and
 * falls back to vmalloc when that fails, which only a charge refused at a {@code memory.max}
 * explains; which areas fell back is read from the vmalloc areas and pages the create added
 * ({@link #vmallocs}), and {@link BpfMapCreate} checks that the model allows the failure.
 */
final class BpfCosts {
    /** {@code sizeof(struct bpf_array)}: the map, {@code elem_size}, {@code index_mask}, {@code aux}. */
    static final int BPF_ARRAY_SIZE = 272;
    /** {@code sizeof(struct htab_elem)}. */
    static final int HTAB_ELEM_SIZE = 48;
    /** {@code sizeof(struct bucket)}. */
    static final int BUCKET_SIZE = 16;
    /** {@code sizeof(struct bpf_htab)}. */
    static final int BPF_HTAB_SIZE = 448;
    /** {@code LLIST_NODE_SZ}: the link {@code bpf_mem_alloc} puts in front of every object. */
    static final int LLIST_NODE_SZ = 8;
    /** {@code PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER}: the largest area kmalloc is tried for. */
    static final long KMALLOC_AREA_MAX = (long) MemMap.PAGE_SIZE << 3;

    /** One allocation of a map at create: whether it was vmalloc'd, what it is charged, the pages it holds outside the slab. */
    record Alloc(long size, boolean vmalloc, long bytes, long pages) {
    }

    /** The machine's vmalloc areas and pages. */
    record Vmallocs(int areas, long pages) {
        Vmallocs minus(Vmallocs o) {
            return new Vmallocs(areas - o.areas, pages - o.pages);
        }
    }

    private final Kernel k;

    BpfCosts(Kernel k) {
        this.k = k;
    }

    /** {@code round_up(8)}, as {@code elem_size} rounds keys and values. */
    static int roundUp8(int n) {
        return n + 7 & -8;
    }

    /** Pages of {@code bytes}, rounded up: {@code bpf_map_charge_init}'s memlock pages. */
    static long pages(long bytes) {
        return MemMap.pageAlign(bytes) >>> MemMap.PAGE_SHIFT;
    }

    /** The hash's {@code n_buckets}: {@code roundup_pow_of_two(max_entries)}. */
    static long buckets(int maxEntries) {
        long high = Long.highestOneBit(maxEntries);
        return high == maxEntries ? high : high << 1;
    }

    /** {@code htab->elem_size}. */
    static int htabElemSize(int keySize, int valueSize) {
        return HTAB_ELEM_SIZE + roundUp8(keySize) + roundUp8(valueSize);
    }

    /** The machine's vmalloc areas and {@code NR_VMALLOC} pages now. */
    Vmallocs vmallocs() {
        return new Vmallocs(k.get(Vmalloc.class).nrAreas(), k.get(VmStat.class).read(VmStatItem.NR_VMALLOC));
    }

    /**
     * What {@code kmalloc(size, __GFP_ACCOUNT)} is charged from 5.9: a cache object's
     * {@code obj_full_size}, or a {@code kmalloc_large} block's pages (its {@code get_order}).
     */
    long kmallocBytes(long size) {
        if (size <= Kmalloc.KMALLOC_MAX_CACHE_SIZE) {
            return Kmalloced.fullSize(k, (int) size);
        }
        return largePages(size) * MemMap.PAGE_SIZE;
    }

    /** The pages a kmalloc of {@code size} holds outside the slab: a {@code kmalloc_large} block's, else none. */
    static long largePages(long size) {
        if (size <= Kmalloc.KMALLOC_MAX_CACHE_SIZE) {
            return 0;
        }
        long pages = 1;
        while (pages * MemMap.PAGE_SIZE < size) {
            pages <<= 1;
        }
        return pages;
    }

    /** The allocation of {@code size} bytes as the area went: vmalloc'd or kmalloc'd, charged if {@code accounted}. */
    Alloc alloc(long size, boolean vmalloc, boolean accounted) {
        long pages = vmalloc ? pages(size) : largePages(size);
        long bytes = !accounted ? 0 : vmalloc ? pages * MemMap.PAGE_SIZE : kmallocBytes(size);
        return new Alloc(size, vmalloc, bytes, pages);
    }

    /**
     * Which of the {@code sizes} areas of a create were vmalloc'd, given the vmalloc areas and
     * pages it added: the {@code forced} ones always, the others when kmalloc failed. The walk's
     * map shapes make the answer unique.
     */
    static boolean[] vmalloced(List<Long> sizes, boolean[] forced, Vmallocs grown) {
        List<boolean[]> fits = new ArrayList<>();
        for (int mask = 0; mask < 1 << sizes.size(); mask++) {
            boolean[] v = new boolean[sizes.size()];
            int areas = 0;
            long pages = 0;
            boolean possible = true;
            for (int i = 0; i < v.length; i++) {
                v[i] = (mask >> i & 1) != 0;
                possible &= v[i] || !forced[i];
                if (v[i]) {
                    areas++;
                    pages += pages(sizes.get(i));
                }
            }
            if (possible && areas == grown.areas() && pages == grown.pages()) {
                fits.add(v);
            }
        }
        if (fits.size() != 1) {
            throw new AssertionError("the create added " + grown + " vmalloc areas and pages, which " + fits.size()
                    + " ways of allocating areas of " + sizes + " bytes explain");
        }
        return fits.get(0);
    }
}
