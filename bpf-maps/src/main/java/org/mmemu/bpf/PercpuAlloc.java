package org.mmemu.bpf;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import com.google.inject.Inject;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroups;
import org.mmemu.memcg.stat.MemcgStatItem;
import org.mmemu.slab.Kmalloc;

/**
 * The part of the percpu allocator (mm/percpu.c: {@code pcpu_alloc}, {@code free_percpu},
 * {@code pcpu_memcg_pre_alloc_hook}, {@code pcpu_memcg_post_alloc_hook},
 * {@code pcpu_memcg_free_hook}) a per-CPU map needs: an area of {@code size} bytes for each
 * possible CPU, and from 5.9 ("mm: memcg/percpu: account percpu memory to memory cgroups") its
 * charge: with {@code __GFP_ACCOUNT}, {@code size * num_possible_cpus()} bytes to the current
 * context's obj_cgroup and to {@code MEMCG_PERCPU_B}; before 5.9 the flag is ignored.
 *
 * <p>The emulator has no percpu chunks: an allocation's CPU copies are one unaccounted kmalloc
 * block of {@code size * nr_cpus} bytes (CPU {@code i}'s copy at {@code i * size}), standing for
 * the chunk pages, which the kernel does not charge either.
 */
public final class PercpuAlloc {
    private final Kmalloc kmalloc;
    private final ObjCgroups objCgroups;
    private final Cpus cpus;

    @Inject
    PercpuAlloc(Kmalloc kmalloc, ObjCgroups objCgroups, Cpus cpus) {
        this.kmalloc = kmalloc;
        this.objCgroups = objCgroups;
        this.cpus = cpus;
    }

    /** An allocation of the percpu allocator: its CPU copies and the obj_cgroup it charged. */
    record Percpu(long base, long size, ObjCgroup objcg) {
        /** {@code per_cpu_ptr(ptr, cpu)}. */
        long perCpuPtr(int cpu) {
            return base + cpu * size;
        }
    }

    /**
     * {@code __alloc_percpu_gfp(size, align, gfp)}, zeroed.
     *
     * @param accountable whether this era's percpu allocator charges memcgs (5.9 on)
     * @return the allocation, or null (no memory, or the charge failed)
     */
    Percpu alloc(long size, int gfp, boolean accountable) {
        int nr = cpus.nrCpus();
        ObjCgroup objcg = null;
        Cpu cpu = cpus.current();
        if (accountable && (gfp & __GFP_ACCOUNT) != 0) {
            objcg = objCgroups.getObjCgroupFromCurrent(cpu);
            if (objcg != null && objCgroups.charge(cpu, objcg, gfp, (int) (size * nr)) != 0) {
                objcg.put(cpu);
                return null;
            }
        }
        long base = kmalloc.kmalloc(size * nr, GFP_KERNEL | __GFP_ZERO);
        if (base == 0) {
            if (objcg != null) {
                objCgroups.uncharge(cpu, objcg, (int) (size * nr));
                objcg.put(cpu);
            }
            return null;
        }
        if (objcg != null) {
            objcg.memcg().stats().mod(cpu, MemcgStatItem.MEMCG_PERCPU_B, size * nr);
        }
        return new Percpu(base, size, objcg);
    }

    /** {@code free_percpu}: the copies freed, the charge given back. */
    void free(Percpu p) {
        kmalloc.kfree(p.base());
        if (p.objcg() != null) {
            Cpu cpu = cpus.current();
            long bytes = p.size() * cpus.nrCpus();
            objCgroups.uncharge(cpu, p.objcg(), (int) bytes);
            p.objcg().memcg().stats().mod(cpu, MemcgStatItem.MEMCG_PERCPU_B, -bytes);
            p.objcg().put(cpu);
        }
    }
}
