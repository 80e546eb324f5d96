package org.mmemu.memcg;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;

/**
 * The obj_cgroup vectors of slab pages (mm/memcontrol.c, mm/slab.h, 5.9+):
 * {@code memcg_alloc_page_obj_cgroups} attaches one lazily with a compare-and-set on
 * {@code memcg_data} (bit 0 set: {@code page_has_obj_cgroups} in 5.9/5.10,
 * {@code MEMCG_DATA_OBJCGS} from 5.11, see {@link MemcgData}), {@code memcg_free_page_obj_cgroups}
 * frees it with the slab page, and two readers decode it: {@link #pageObjCgroups} without
 * checks (5.9/5.10) and {@link #pageObjcgs} with 5.11's {@code VM_BUG_ON_PAGE}s.
 *
 * <p>A vector is an emulated kernel object: its address comes from {@link KernelObjects} (so a
 * stale memcg_data decodes as a KASAN use-after-free), its memory from the bound
 * {@link ObjCgroupVectorMemory}. The slab hooks decode through the readers that take their
 * {@link Cpu}, which answer from that CPU's last decoded vector when they can
 * ({@link ObjCgroupVectorLookaside}).
 */
public final class ObjCgroupVectors {
    private final KernelObjects objects;
    private final ObjCgroupVectorMemory memory;
    private final MemcgData data;
    private final ObjCgroupVectorLookaside lookaside;

    @Inject
    public ObjCgroupVectors(KernelObjects objects, ObjCgroupVectorMemory memory, MemcgData data, Cpus cpus) {
        this.objects = objects;
        this.memory = memory;
        this.data = data;
        this.lookaside = new ObjCgroupVectorLookaside(objects, cpus.nrCpus());
    }

    /**
     * {@code memcg_alloc_page_obj_cgroups(page, s, gfp)}: a zeroed vector of {@code objects}
     * slots ({@code objs_per_slab_page}), installed unless another CPU installed one first, in
     * which case this one is freed and the page keeps the winner's.
     *
     * @return 0, or {@code -ENOMEM} when the vector's memory could not be allocated
     */
    public int memcgAllocPageObjCgroups(Page page, int objects, int gfp) {
        int size = ObjCgroupVector.bytes(objects);
        long backing = memory.kcalloc(size, gfp);
        if (backing == 0) {
            return Errno.ENOMEM.negative();
        }
        ObjCgroupVector vector = new ObjCgroupVector(objects, backing);
        long address = this.objects.register(vector);
        vector.setAddress(address);
        if (!MemcgData.setPageObjcgs(page, address)) {
            free(vector);
        }
        return 0;
    }

    /**
     * {@code memcg_free_page_obj_cgroups} when the slab page is freed: {@code kfree} of the
     * vector (if any) and memcg_data cleared. Through the checked reader from 5.11
     * ({@code checked}), so a page whose memcg_data is not a vector is a {@code KernelBug}.
     */
    public void memcgFreePageObjCgroups(Page page, boolean checked) {
        ObjCgroupVector vector = checked ? pageObjcgs(page) : pageObjCgroups(page);
        if (vector != null) {
            free(vector);
        }
        page.setMemcgData(0);
    }

    private void free(ObjCgroupVector vector) {
        vector.markFreed();
        objects.free(vector.address());
        memory.kfree(vector.backing(), vector.bytes());
    }

    /**
     * {@code page_obj_cgroups} (5.9/5.10): memcg_data with bit 0 masked off, decoded as a vector;
     * null when bit 0 is clear ({@code !page_has_obj_cgroups}). A freed vector is a KASAN report.
     */
    public ObjCgroupVector pageObjCgroups(Page page) {
        long address = uncheckedVectorAddress(page);
        return address == 0 ? null : objects.resolve(address, ObjCgroupVector.class);
    }

    /** {@link #pageObjCgroups(Page)} on {@code cpu}, the calling thread's CPU. */
    public ObjCgroupVector pageObjCgroups(Cpu cpu, Page page) {
        long address = uncheckedVectorAddress(page);
        return address == 0 ? null : lookaside.decode(cpu, address);
    }

    /** The 5.9/5.10 test: memcg_data with bit 0 masked off when bit 0 is set, else 0. */
    private static long uncheckedVectorAddress(Page page) {
        long memcgData = page.memcgData();
        return (memcgData & MemcgData.MEMCG_DATA_OBJCGS) == 0 ? 0 : memcgData & ~MemcgData.MEMCG_DATA_OBJCGS;
    }

    /**
     * {@code page_objcgs} (5.11+): the vector, null if the page has none yet;
     * {@code KernelBug} when memcg_data is set but is not a vector, or has
     * {@code MEMCG_DATA_KMEM} ({@link MemcgData#pageObjcgs}).
     */
    public ObjCgroupVector pageObjcgs(Page page) {
        long address = data.pageObjcgs(page);
        return address == 0 ? null : objects.resolve(address, ObjCgroupVector.class);
    }

    /** {@link #pageObjcgs(Page)} on {@code cpu}, the calling thread's CPU. */
    public ObjCgroupVector pageObjcgs(Cpu cpu, Page page) {
        long address = data.pageObjcgs(page);
        return address == 0 ? null : lookaside.decode(cpu, address);
    }
}
