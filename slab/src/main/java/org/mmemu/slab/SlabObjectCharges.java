package org.mmemu.slab;

import com.google.inject.Inject;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.ChargeOwner;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroupVector;

/**
 * Declares to memcg's charge check the bytes each live accounted slab object holds: every
 * filled slot of every slab page's obj_cgroup vector is one object charged its
 * {@code obj_full_size} to that obj_cgroup, found through {@link SlabCaches#forEachSlab}.
 */
final class SlabObjectCharges implements ChargeOwner {
    private final SlabCaches caches;
    private final KernelObjects objects;

    @Inject
    SlabObjectCharges(SlabCaches caches, KernelObjects objects) {
        this.caches = caches;
        this.objects = objects;
    }

    @Override
    public void declareCharges(Charges charges) {
        caches.forEachSlab(page -> {
            long data = page.memcgData();
            if ((data & MemcgData.MEMCG_DATA_OBJCGS) != 0) {
                declare(charges, caches.cacheOf(page),
                        objects.resolve(data & ~MemcgData.MEMCG_DATA_FLAGS_MASK, ObjCgroupVector.class));
            }
        });
    }

    private static void declare(Charges charges, KmemCache s, ObjCgroupVector vector) {
        for (int i = 0; i < vector.objects(); i++) {
            ObjCgroup objcg = vector.get(i);
            if (objcg != null) {
                charges.objcgBytes(objcg, s.objFullSize());
            }
        }
    }
}
