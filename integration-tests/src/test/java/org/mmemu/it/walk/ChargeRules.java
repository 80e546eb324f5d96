package org.mmemu.it.walk;

import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;

/**
 * What an era charges, as the model needs to know it:
 * <ul>
 *   <li>{@code alloc_kmem_pages} (the walk's test-only kernel pages) charges in every era;</li>
 *   <li>the generic page allocator charges {@code __GFP_ACCOUNT} pages from 4.8
 *       (mm/page_alloc.c {@code __alloc_pages_nodemask} calling {@code memcg_kmem_charge},
 *       4.8.15), which covers a process's pgd and, with "pipe: account to kmemcg", pipe pages;</li>
 *   <li>slab objects of {@code __GFP_ACCOUNT} kmallocs are charged byte by byte to the current
 *       obj_cgroup from 5.9 ({@code obj_full_size}, mm/slab.h {@code memcg_slab_post_alloc_hook},
 *       5.9.1); before, objects go to the cgroup's clone of the cache, made by a work item after
 *       its first allocation (which the root cache serves, uncharged), and the clone's slab pages
 *       are charged whole ({@code memcg_kmem_get_cache}, {@code memcg_charge_slab}, 4.8.15):
 *       where objects land in pages is SLUB's business, so the model takes the clones' pages from
 *       the cgroup's {@code memory.stat} slab keys;</li>
 *   <li>a buffer shared by tee or a partial splice stays mergeable until 4.20;</li>
 *   <li>an AF_UNIX socket's buffers (skb head, linear area, page fragments) are allocated with
 *       {@code sk_allocation}, {@code GFP_KERNEL_ACCOUNT} from 4.8 ({@code unix_create1},
 *       net/unix/af_unix.c 4.8.15), so charged to the sender: the fragments as pages, the rest as
 *       slab (through the clones up to 5.8); the {@code UNIX} sock cache is {@code SLAB_ACCOUNT}
 *       from 4.18 ({@code proto_register}, net/core/sock.c 4.18.0), {@code sock_inode_cache}
 *       in every era (fs/sockfs, {@code init_inodecache});</li>
 *   <li>a BPF map is paid for by its creator's user's {@code RLIMIT_MEMLOCK} up to 5.10
 *       ({@code bpf_map_charge_init}, kernel/bpf/syscall.c 5.10.7: its cost in pages added to
 *       {@code user->locked_vm}, {@code EPERM} past the limit), by no cgroup; from 5.11 the
 *       memlock is gone (80ee81e0403c "bpf: Eliminate rlimit-based memory accounting infra for
 *       bpf maps") and every allocation of a map is {@code __GFP_ACCOUNT}
 *       ({@code __bpf_map_area_alloc}, the htab's kzalloc: 6d192c7938b7 and 881456811a33), the
 *       create's charged to the creating task's cgroup, the elements added later to
 *       {@code map->memcg}, the creator's, whoever adds them ({@code bpf_map_kmalloc_node} under
 *       {@code set_active_memcg}, d5299b67dd59 "bpf: Memcg-based memory accounting for bpf
 *       maps");</li>
 *   <li>arrays may be {@code BPF_F_MMAPABLE} from 5.5 (fc9702273e2e "bpf: Add mmap() support for
 *       BPF_MAP_TYPE_ARRAY"; before, {@code array_map_alloc_check} refuses the flag and map
 *       files have no {@code ->mmap}); the page tables a mapping needs are allocated in the
 *       mapping task's context, {@code GFP_PGTABLE_USER}, charged as its pgd is;</li>
 *   <li>a map's areas come from {@code bpf_map_area_alloc} from 4.11 (d407bd25a204 "bpf: don't
 *       trigger OOM killer under pressure with map alloc"; kernel/bpf/syscall.c 4.18.0): kmalloc
 *       up to 32 KiB, vmalloc above. Before, an array and a hash's buckets are kzalloc'd at any
 *       size, vzalloc'd only if that fails, and a hash's preallocated elements always vzalloc'd
 *       ({@code array_map_alloc}, {@code htab_map_alloc}, {@code prealloc_elems_and_freelist},
 *       4.8.15);</li>
 *   <li>maps have ids from 4.13 ({@code bpf_map_alloc_id}), which another task may open with
 *       {@code BPF_MAP_GET_FD_BY_ID} ({@code bpf_map_get_fd_by_id}); before, the id query is
 *       {@code EINVAL};</li>
 *   <li>from 6.1 a {@code BPF_F_NO_PREALLOC} hash takes its elements from {@code bpf_mem_alloc}
 *       (fba1a1c6c912 "bpf: Convert hash map to bpf_mem_alloc."), whose per-CPU caches are
 *       filled under the creator's obj_cgroup ({@code get_obj_cgroup_from_current} in
 *       {@code bpf_mem_alloc_init}, kernel/bpf/memalloc.c 6.13.7): the cached objects are charged
 *       as the elements are;</li>
 *   <li>in 4.8 a cgroup's offline ends a grace period for each cache clone it deactivates
 *       ({@code memcg_deactivate_kmem_caches} calling {@code __kmem_cache_shrink(c, true)},
 *       whose {@code synchronize_sched} makes the emptied {@code cpu_partial} visible, mm/slub.c
 *       4.8.15): an rmdir may then free what waited for a grace period, a closed map or a
 *       deleted element. 4.6 kicks the CPUs instead, and from 4.11 the shrink is queued behind
 *       one ({@code call_rcu} of {@code kmemcg_deactivate_rcufn}), so no other era's rmdir ends
 *       one.</li>
 * </ul>
 */
public record ChargeRules(boolean pgdCharged, boolean pipePagesCharged, boolean slabBytesCharged,
                   boolean slabPagesCharged, boolean sharedBuffersMergeable, boolean socketBuffersCharged,
                   boolean unixSockCharged, boolean bpfMemlock, boolean bpfAccounted, boolean bpfMmapable,
                   boolean bpfMemAlloc, boolean bpfMapIds, boolean bpfMapAreaAlloc, boolean offlineEndsGracePeriods) {
    /** The rules of {@code era}. */
    public static ChargeRules of(Era era) {
        boolean generic = era.compareTo(Era.V4_8) >= 0;
        boolean objcg = era.compareTo(Era.V5_9) >= 0;
        boolean memcgMaps = era.compareTo(Era.V5_11) >= 0;
        return new ChargeRules(generic, generic, objcg, !objcg, !objcg, generic, era.compareTo(Era.V4_18) >= 0,
                !memcgMaps, memcgMaps, era.compareTo(Era.V5_9) >= 0, era == Era.LATEST,
                era.compareTo(Era.V4_18) >= 0, era.compareTo(Era.V4_18) >= 0, era == Era.V4_8);
    }

    /**
     * Up to 5.8, the bytes of the cache-clone slab pages charged to the cgroup at {@code path}
     * and below (its {@code memory.stat} slab keys); 0 from 5.9, whose objects the model counts.
     */
    public long clonePageBytes(Kernel k, String path) {
        if (!slabPagesCharged) {
            return 0;
        }
        return k.cgroupfs().stat(path, "slab_reclaimable") + k.cgroupfs().stat(path, "slab_unreclaimable");
    }
}
