package org.mmemu.bpf;

import static org.mmemu.bpf.BpfMapFlags.ACCESS_MASK;
import static org.mmemu.bpf.BpfMapFlags.MMAPABLE;
import static org.mmemu.bpf.BpfMapFlags.NO_COMMON_LRU;
import static org.mmemu.bpf.BpfMapFlags.NO_PREALLOC;
import static org.mmemu.bpf.BpfMapFlags.NUMA_NODE;
import static org.mmemu.bpf.BpfMapFlags.RDONLY;
import static org.mmemu.bpf.BpfMapFlags.WRONLY;
import static org.mmemu.bpf.BpfMapFlags.ZERO_SEED;

import org.mmemu.core.page.Gfp;

/**
 * What BPF maps do differently from one release to the next (kernel/bpf/syscall.c, arraymap.c,
 * hashtab.c of each era; {@link BpfEras} picks one per release).
 *
 * @param arrayFlags the {@code map_flags} an array accepts ({@code ARRAY_CREATE_FLAG_MASK}):
 *     none in 4.8 ({@code array_map_alloc} refuses any flag), {@code NUMA_NODE | RDONLY | WRONLY}
 *     in 4.18, and {@code MMAPABLE} with the whole access mask from 5.5
 * @param hashFlags {@code HTAB_CREATE_FLAG_MASK}: {@code NO_PREALLOC} in 4.8; the LRU, NUMA and
 *     fd-access flags in 4.18; the program-access flags and {@code ZERO_SEED} from 5.2
 * @param mapIds whether maps have ids and {@code BPF_MAP_GET_FD_BY_ID} exists (4.13 and later)
 * @param freeze whether {@code BPF_MAP_FREEZE} exists (5.2 and later)
 * @param memcgOwned whether a map records its creator's memcg and charges every allocation
 *     there ({@code bpf_map_save_memcg}, 5.11 and later) instead of charging the creator's
 *     {@code RLIMIT_MEMLOCK} ({@code bpf_map_charge_init}, up to 5.10)
 * @param accountGfp the gfp bits every allocation of a map adds: {@code __GFP_ACCOUNT} from 5.11
 *     ("bpf: Prepare for memcg-based memory accounting for bpf maps"), none before. A policy
 *     override may force it on an earlier era, to show what vm_insert_page then does
 * @param percpuAccounting whether the percpu allocator charges {@code __GFP_ACCOUNT} allocations
 *     to memcgs at all (5.9 on, "mm: memcg/percpu: account percpu memory to memory cgroups")
 * @param memAlloc whether {@code BPF_F_NO_PREALLOC} hash elements come from {@code bpf_mem_alloc}'s
 *     per-CPU caches (6.1 on, "bpf: Convert hash map to bpf_mem_alloc."), refilled with
 *     {@code GFP_NOWAIT} under the creator's cgroup and reused on delete, instead of a
 *     {@code GFP_ATOMIC} kmalloc per update and a kfree after a grace period per delete
 * @param mapAreaAlloc whether a map's areas come from {@code bpf_map_area_alloc} (4.11 on,
 *     d407bd25a204 "bpf: don't trigger OOM killer under pressure with map alloc"): kmalloc with
 *     {@code __GFP_NORETRY} only up to {@code PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER}, vmalloc
 *     above or when it fails. Before ({@code array_map_alloc}, {@code htab_map_alloc} of
 *     4.8.15), an array and a hash's buckets are kzalloc'd ({@code GFP_USER | __GFP_NOWARN})
 *     whatever their size, vzalloc'd only if that fails, and a hash's preallocated elements
 *     are always vzalloc'd
 */
public record BpfConfig(int arrayFlags, int hashFlags, boolean mapIds, boolean freeze, boolean memcgOwned,
                        int accountGfp, boolean percpuAccounting, boolean memAlloc, boolean mapAreaAlloc) {
    /** 4.8 (and 4.7): no ids, no freeze, no flags on arrays; memlock pays; areas kzalloc'd at any size. */
    public static final BpfConfig V4_8 = new BpfConfig(0, NO_PREALLOC, false, false, false, 0, false, false, false);
    /** 4.18: map ids; NUMA and fd-access flags; {@code bpf_map_area_alloc}. */
    public static final BpfConfig V4_18 = new BpfConfig(NUMA_NODE | RDONLY | WRONLY,
            NO_PREALLOC | NO_COMMON_LRU | NUMA_NODE | RDONLY | WRONLY, true, false, false, 0, false, false, true);
    /** 5.9 and 5.10: freeze, mmapable arrays; still memlock, no cgroup charge. */
    public static final BpfConfig V5_9 = new BpfConfig(NUMA_NODE | MMAPABLE | ACCESS_MASK,
            NO_PREALLOC | NO_COMMON_LRU | NUMA_NODE | ACCESS_MASK | ZERO_SEED, true, true, false, 0, true, false, true);
    /** 5.11 and later: map memory charged to {@code map->memcg}; memlock no longer applies. */
    public static final BpfConfig V5_11 = new BpfConfig(V5_9.arrayFlags, V5_9.hashFlags, true, true, true,
            Gfp.__GFP_ACCOUNT, true, false, true);
    /** 6.1 and later: hash elements from {@code bpf_mem_alloc}. */
    public static final BpfConfig LATEST = new BpfConfig(V5_11.arrayFlags, V5_11.hashFlags, true, true, true,
            Gfp.__GFP_ACCOUNT, true, true, true);

    /** This config with {@code accountGfp} in place of its own. */
    public BpfConfig withAccountGfp(int gfp) {
        return new BpfConfig(arrayFlags, hashFlags, mapIds, freeze, memcgOwned, gfp, percpuAccounting, memAlloc,
                mapAreaAlloc);
    }

    /** Whether arrays may be {@code BPF_F_MMAPABLE}. */
    public boolean mmapable() {
        return (arrayFlags & MMAPABLE) != 0;
    }
}
