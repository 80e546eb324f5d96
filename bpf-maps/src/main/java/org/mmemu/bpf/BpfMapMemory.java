package org.mmemu.bpf;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_USER;
import static org.mmemu.core.page.Gfp.__GFP_HIGHMEM;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_NORETRY;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;
import static org.mmemu.core.page.Gfp.__GFP_RETRY_MAYFAIL;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.cred.UserStructs;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.vmalloc.VmStruct;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.memcg.ActiveMemcgScope;
import org.mmemu.memcg.CurrentMemcg;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.slab.Kmalloc;

/**
 * Where a map's memory comes from and who pays for it (kernel/bpf/syscall.c):
 * {@code bpf_map_area_alloc} / {@code bpf_map_area_mmapable_alloc} / {@code bpf_map_area_free},
 * {@code bpf_map_kmalloc_node} (5.11), the memlock charge of up to 5.10
 * ({@code bpf_map_charge_init}, {@code bpf_charge_memlock}, {@code bpf_map_charge_finish}) and
 * the memcg of 5.11 on ({@code bpf_map_save_memcg}, {@code bpf_map_release_memcg}). Before
 * {@code bpf_map_area_alloc} (4.11), the 4.8 maps' own kzalloc and vzalloc calls
 * ({@link BpfConfig#mapAreaAlloc}).
 */
public final class BpfMapMemory {
    /** {@code PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER}: the largest area kmalloc is tried for. */
    static final long KMALLOC_AREA_MAX = (long) MemMap.PAGE_SIZE << 3;
    private static final long U32_MAX = 0xffffffffL;

    private final BpfConfig config;
    private final Kmalloc kmalloc;
    private final Vmalloc vmalloc;
    private final Tasks tasks;
    private final UserStructs users;
    private final CurrentMemcg currentMemcg;
    private final PercpuAlloc percpu;

    @Inject
    BpfMapMemory(BpfConfig config, Kmalloc kmalloc, Vmalloc vmalloc, Tasks tasks, UserStructs users,
                 CurrentMemcg currentMemcg, PercpuAlloc percpu) {
        this.percpu = percpu;
        this.config = config;
        this.kmalloc = kmalloc;
        this.vmalloc = vmalloc;
        this.tasks = tasks;
        this.users = users;
        this.currentMemcg = currentMemcg;
    }

    /** The era's map behaviour. */
    BpfConfig config() {
        return config;
    }

    /**
     * {@code __bpf_map_area_alloc}: zeroed memory for a map, kmalloc'd up to
     * {@link #KMALLOC_AREA_MAX} (with {@code GFP_USER | __GFP_NORETRY}, falling back to vmalloc),
     * vmalloc'd above, and always vmalloc'd in a {@code VM_USERMAP} area aligned to
     * {@code SHMLBA} when {@code mmapable}; {@code __GFP_ACCOUNT} as the era says. The caller's
     * context is charged (5.11: the creator, before {@code bpf_map_save_memcg}). Before
     * {@link BpfConfig#mapAreaAlloc} (4.8), {@link #kzallocOrVzalloc} instead.
     *
     * @return the kernel address, or 0
     */
    long areaAlloc(long size, boolean mmapable) {
        int gfp = __GFP_NOWARN | __GFP_ZERO | config.accountGfp();
        if (!config.mapAreaAlloc() && !mmapable) {
            return kzallocOrVzalloc(size);
        }
        if (mmapable) {
            if ((size & ~MemMap.PAGE_MASK) != 0) {
                throw new IllegalArgumentException("BUG_ON(!PAGE_ALIGNED(" + size + "))");
            }
            return vmalloc.vmallocNodeRange(size, Vmalloc.SHMLBA, MemMap.VMALLOC_START, MemMap.VMALLOC_END,
                    gfp | GFP_KERNEL | __GFP_RETRY_MAYFAIL, VmStruct.VM_USERMAP);
        }
        if (size <= KMALLOC_AREA_MAX) {
            long area = kmalloc.kmalloc(size, gfp | GFP_USER | __GFP_NORETRY);
            if (area != 0) {
                return area;
            }
        }
        return vmalloc.vmalloc(size, gfp | GFP_KERNEL | __GFP_RETRY_MAYFAIL);
    }

    /**
     * A hash's preallocated elements: {@code bpf_map_area_alloc} from 4.11 ({@code prealloc_init});
     * in 4.8 {@code vzalloc}, whatever their size ({@code prealloc_elems_and_freelist}, 4.8.15).
     *
     * @return the kernel address, or 0
     */
    long elemsAlloc(long size) {
        if (config.mapAreaAlloc()) {
            return areaAlloc(size, false);
        }
        return vzalloc(size);
    }

    /**
     * 4.8's map area ({@code array_map_alloc}; {@code htab_map_alloc}'s buckets, whose
     * {@code kmalloc_array} and {@code vmalloc} 4.8 leaves unzeroed as it initialises each
     * bucket itself): {@code kzalloc(size, GFP_USER | __GFP_NOWARN)} at any size, a
     * {@code kmalloc_large} compound block above {@link Kmalloc#KMALLOC_MAX_CACHE_SIZE}, without
     * {@code __GFP_NORETRY}; {@code vzalloc} when that fails: no free block of the order (a
     * fragmented or small machine), or an order from {@code MAX_ORDER} on (4 MiB and more,
     * short of SLUB's {@code KMALLOC_MAX_SIZE} of 8 MiB, which the page allocator refuses).
     */
    private long kzallocOrVzalloc(long size) {
        long area = kmalloc.kzalloc(size, GFP_USER | __GFP_NOWARN | config.accountGfp());
        return area != 0 ? area : vzalloc(size);
    }

    /** {@code vzalloc}: {@code GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO} pages, with the era's account bits. */
    private long vzalloc(long size) {
        return vmalloc.vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO | config.accountGfp());
    }

    /** {@code bpf_map_area_free}: {@code kvfree}. */
    void areaFree(long area) {
        if (Long.compareUnsigned(area, MemMap.VMALLOC_START) >= 0 && Long.compareUnsigned(area, MemMap.VMALLOC_END) < 0) {
            vmalloc.vfree(area);
        } else {
            kmalloc.kfree(area);
        }
    }

    /**
     * A map's object allocated after create (a hash element): {@code bpf_map_kmalloc_node} from
     * 5.11, charged to {@code map->memcg} under {@code set_active_memcg} whoever the current task
     * is; plain {@code kmalloc_node} before (with the era's account bits, so an override that
     * forces them charges the caller's cgroup).
     */
    long kmalloc(BpfMap map, long size, int gfp) {
        if (map.memcg == null) {
            return kmalloc.kmalloc(size, gfp | config.accountGfp());
        }
        return kmallocCharged(map.memcg, size, gfp | __GFP_ACCOUNT);
    }

    /**
     * {@code kmalloc} under {@code set_active_memcg(memcg)}: an {@code __GFP_ACCOUNT} object is
     * charged to {@code memcg} whoever the current task is. A null memcg stands for the root
     * ({@code get_memcg} without an objcg), which is not charged.
     */
    long kmallocCharged(MemCgroup memcg, long size, int gfp) {
        if (memcg == null) {
            return kmalloc.kmalloc(size, gfp & ~__GFP_ACCOUNT);
        }
        try (ActiveMemcgScope scope = currentMemcg.setActiveMemcg(memcg)) {
            return kmalloc.kmalloc(size, gfp);
        }
    }

    /** {@code get_obj_cgroup_from_current}: the current context's cgroup with a reference, or null. */
    MemCgroup getMemcgFromCurrent() {
        return currentMemcg.getMemCgroupFromCurrent();
    }

    /** {@code obj_cgroup_put}: drops a reference {@link #getMemcgFromCurrent} took. */
    void putMemcg(MemCgroup memcg) {
        if (memcg != null) {
            memcg.cssPut(1);
        }
    }

    /**
     * A map's own structure at create ({@code kzalloc(sizeof(*htab), GFP_USER)}; 5.11 adds
     * {@code __GFP_ACCOUNT}): charged to the creator's context.
     */
    long kzallocObject(long size, int gfp) {
        return kmalloc.kzalloc(size, gfp | config.accountGfp());
    }

    /**
     * A per-CPU value: {@code bpf_map_alloc_percpu} from 5.11 ({@code __GFP_ACCOUNT} under
     * {@code set_active_memcg(map->memcg)}: the creator while the map is being allocated), plain
     * {@code __alloc_percpu_gfp} before, with the era's account bits.
     */
    PercpuAlloc.Percpu allocPercpu(BpfMap map, long size, int gfp) {
        int flags = gfp | config.accountGfp();
        if (map.memcg == null) {
            return percpu.alloc(size, flags, config.percpuAccounting());
        }
        try (ActiveMemcgScope scope = currentMemcg.setActiveMemcg(map.memcg)) {
            return percpu.alloc(size, flags, config.percpuAccounting());
        }
    }

    /** {@code free_percpu}. */
    void freePercpu(PercpuAlloc.Percpu p) {
        percpu.free(p);
    }

    /** {@code kfree}. */
    void kfree(long x) {
        kmalloc.kfree(x);
    }

    /**
     * Who will pay for a map of {@code cost} bytes: up to 5.10 {@code bpf_map_charge_init}
     * charges {@code round_up(cost, PAGE_SIZE) >> PAGE_SHIFT} pages to the current user's
     * {@code locked_vm} against {@code RLIMIT_MEMLOCK}; from 5.11 nothing is checked here
     * ({@link #saveMemcg} follows).
     *
     * @return 0, {@code -E2BIG} for a cost that does not fit the u32 page count,
     *     {@code -EPERM} past the memlock limit
     */
    int chargeInit(BpfMap map, long cost) {
        if (config.memcgOwned()) {
            return 0;
        }
        if (Long.compareUnsigned(cost, U32_MAX - MemMap.PAGE_SIZE) >= 0) {
            return Errno.E2BIG.negative();
        }
        long pages = (cost + MemMap.PAGE_SIZE - 1) >>> MemMap.PAGE_SHIFT;
        TaskStruct current = tasks.current();
        var user = users.allocUid(current.cred().uid());
        long limit = current.rlimit(Rlimits.RLIMIT_MEMLOCK);
        long limitPages = limit == Rlimits.RLIM_INFINITY ? Long.MAX_VALUE : limit >>> MemMap.PAGE_SHIFT;
        if (!user.chargeLockedVm(pages, limitPages)) {
            users.freeUid(user);
            return Errno.EPERM.negative();
        }
        map.user = user;
        map.memlockPages = pages;
        return 0;
    }

    /** {@code bpf_map_charge_finish}: the memlock pages back, the user reference dropped. */
    void chargeFinish(BpfMap map) {
        if (map.user != null) {
            map.user.unchargeLockedVm(map.memlockPages);
            users.freeUid(map.user);
            map.user = null;
            map.memlockPages = 0;
        }
    }

    /** {@code bpf_map_save_memcg} (5.11 on): the creator's memcg, with a reference, as the map's owner. */
    void saveMemcg(BpfMap map) {
        if (config.memcgOwned()) {
            map.memcg = currentMemcg.getMemCgroupFromCurrent();
        }
    }

    /** {@code bpf_map_release_memcg}: the owner's reference dropped. */
    void releaseMemcg(BpfMap map) {
        putMemcg(map.memcg);
        map.memcg = null;
    }
}
