package org.mmemu.it.walk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmemu.bpf.BpfMap;
import org.mmemu.core.page.MemMap;

/**
 * The model's BPF map (kernel/bpf/syscall.c {@code map_create}, {@code __bpf_map_put},
 * {@code bpf_map_free_deferred}; arraymap.c; hashtab.c): what its create allocated and whom
 * that charged, the memlock pages it holds, the keys a hash holds and what each element is
 * charged, and its references (the tasks holding its fd, the mappings of it), the last of
 * which frees it after a grace period.
 */
final class ModelBpfMap {
    /** The walk's map shapes. */
    enum Kind {
        /** {@code BPF_MAP_TYPE_ARRAY}, its area kmalloc'd (up to 32 KiB) or vmalloc'd (above). */
        ARRAY,
        /** {@code BPF_MAP_TYPE_ARRAY} with {@code BPF_F_MMAPABLE}: a vmalloc'd area user space may map. */
        MMAPABLE,
        /** {@code BPF_MAP_TYPE_HASH}, its elements preallocated at create. */
        HASH,
        /** {@code BPF_MAP_TYPE_HASH} with {@code BPF_F_NO_PREALLOC}: each element allocated on update. */
        HASH_NO_PREALLOC;

        boolean hash() {
            return this == HASH || this == HASH_NO_PREALLOC;
        }
    }

    final String id;
    final Kind kind;
    final int keySize;
    final int valueSize;
    final int maxEntries;
    /** {@code map->memcg} (5.11 on): the creator's cgroup, which the elements added later are charged to; else null. */
    final ModelCgroup memcg;
    final long memlockPages;
    /** What the create allocated, charged to {@link #creator}. */
    final List<BpfCosts.Alloc> allocs;
    final ModelCgroup creator;
    /** The emulator's map, for the objects its {@code bpf_mem_alloc} caches; null if it has none. */
    final BpfMap cache;
    /** What one {@code bpf_mem_alloc} object (or one kmalloc'd element) is charged. */
    final long elementBytes;
    /** The keys a hash holds, each with the bytes its element is charged to {@link #memcg} (0: preallocated or unaccounted). */
    final Map<Integer, Long> elements = new LinkedHashMap<>();
    /** Objects of {@link #cache} charged: the elements in use and those cached. */
    long cachedCharged;
    /** The tasks holding its fd and the mappings of it. */
    int holders = 1;

    ModelBpfMap(String id, Kind kind, int keySize, int valueSize, int maxEntries, ModelCgroup creator, ModelCgroup memcg,
                long memlockPages, List<BpfCosts.Alloc> allocs, BpfMap cache, long elementBytes) {
        this.id = id;
        this.kind = kind;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.creator = creator;
        this.memcg = memcg;
        this.memlockPages = memlockPages;
        this.allocs = List.copyOf(allocs);
        this.cache = cache;
        this.elementBytes = elementBytes;
    }

    /** The pages of values an mmapable array maps: {@code PAGE_ALIGN(max_entries * elem_size)}. */
    long valuePages() {
        return MemMap.pageAlign((long) maxEntries * BpfCosts.roundUp8(valueSize)) >>> MemMap.PAGE_SHIFT;
    }

    /**
     * Charges the objects {@code bpf_mem_alloc} holds for the map now (in use and cached) to
     * {@link #memcg}, as its refills and trims moved them; nothing for a map without one.
     */
    void syncCache(Model m) {
        if (cache == null) {
            return;
        }
        long objects = elements.size() + cache.cachedObjects();
        m.charge(memcg, (objects - cachedCharged) * elementBytes);
        cachedCharged = objects;
    }

    /** {@code bpf_map_free_deferred}: every allocation freed and uncharged, the memlock pages given back. */
    void free(Model m) {
        for (BpfCosts.Alloc a : allocs) {
            m.uncharge(creator, a.bytes());
            m.heldPages -= a.pages();
        }
        for (long bytes : elements.values()) {
            m.uncharge(memcg, bytes);
        }
        elements.clear();
        m.uncharge(memcg, cachedCharged * elementBytes);
        cachedCharged = 0;
        m.bpf.lockedPages -= memlockPages;
    }

    @Override
    public String toString() {
        return id;
    }
}
