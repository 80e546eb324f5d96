package org.mmemu.slab;

import com.google.inject.Inject;
import java.util.Optional;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroupVector;

/**
 * {@code mem_cgroup_from_obj(p)} (mm/memcontrol.c, 5.7 on): the memory cgroup a kernel object is
 * charged to. A slab object's owner is the obj_cgroup in its slot of the slab page's vector;
 * any other kernel page's is the page's memcg. How the page's word is read is the era's
 * {@link MemcgFromObjReader}: 5.9's reads it twice and can take a vector attached in between
 * for a mem_cgroup (reported here as the KASAN type confusion that pointer would be).
 * Without memcg ({@code mem_cgroup_disabled()}) every answer is null.
 */
public final class MemCgroupFromObj {
    /** Between the reader's first read of the page's word and what follows it. */
    public static final InterleavingPoint BETWEEN_READS =
            InterleavingPoint.declare("slab:mem_cgroup_from_obj:between_reads");

    private final Slub slub;
    private final KernelObjects objects;
    private final Optional<MemcgData> data;
    private final MemcgFromObjReader reader;

    @Inject
    MemCgroupFromObj(Slub slub, KernelObjects objects, Optional<MemcgData> data, MemcgFromObjReader reader) {
        this.slub = slub;
        this.objects = objects;
        this.data = data;
        this.reader = reader;
    }

    /** {@code mem_cgroup_from_obj(p)}: the owning memcg of the object at {@code p}, or null. */
    public MemCgroup memCgroupFromObj(long p) {
        if (data.isEmpty()) {
            return null;
        }
        return reader.read(this, slub.virtToHeadPage(p), p);
    }

    /**
     * The owner recorded for the object at {@code p} in the vector at {@code vector} (untagged)
     * of slab page {@code page}: its obj_cgroup's current memcg, or null for an unaccounted object.
     */
    MemCgroup slabOwner(Page page, long vector, long p) {
        int off = slub.cacheOf(page).objToIndex(page, p);
        ObjCgroup objcg = objects.resolve(vector, ObjCgroupVector.class).get(off);
        return objcg == null ? null : objcg.memcg();
    }

    /** The word of a 5.9/5.10 page taken as {@code page->mem_cgroup}. */
    MemCgroup memcgAt(long memCgroup) {
        return memCgroup == 0 ? null : objects.resolve(memCgroup, MemCgroup.class);
    }

    /** memcg's checked accessors of {@code memcg_data} (5.11 on). */
    MemcgData data() {
        return data.orElseThrow();
    }
}
