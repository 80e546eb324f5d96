package org.mmemu.it.walk;

import org.mmemu.kernel.Kernel;
import org.mmemu.memcg.ObjCgroupVector;
import org.mmemu.slab.Kmalloc;

/** What a kmalloc object is charged from 5.9: {@code obj_full_size}, its cache's size and a vector slot. */
public final class Kmalloced {
    private Kmalloced() {
    }

    /** The bytes a {@code kmalloc(size)} object is charged from 5.9. */
    public static long fullSize(Kernel k, int size) {
        return k.get(Kmalloc.class).kmallocSlab(size).size() + ObjCgroupVector.POINTER_SIZE;
    }
}
