package org.mmemu.it.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.mmemu.core.rcu.Rcu;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.slab.Kmalloc;

/**
 * Accounted slab objects allocated by a process of {@code /p/a}, which exits; {@code /p/a} is
 * removed while the objects live, and a process of {@code /p/b} frees them. Two designs meet
 * here:
 * <ul>
 *   <li>up to 5.8 the objects sit in {@code /p/a}'s clones of the kmalloc caches, whose slab pages
 *       are charged whole ({@code memcg_kmem_get_cache}, {@code memcg_charge_slab}, 4.8.15); rmdir
 *       deactivates the clones ({@code memcg_deactivate_kmem_caches}) and each page pins the
 *       removed cgroup until the last object on it goes, when the emptied slab is discarded;</li>
 *   <li>from 5.9 each object is charged byte by byte to {@code /p/a}'s obj_cgroup
 *       ({@code memcg_slab_post_alloc_hook}, 5.9.1), which rmdir reparents to {@code /p}
 *       ({@code memcg_reparent_objcgs}): the cgroup itself is released at once, and {@code /p}
 *       pays until {@code kfree} ({@code memcg_slab_free_hook}) uncharges the objcg.</li>
 * </ul>
 * Either way {@code /p} pays for the objects the whole time and {@code /p/b} never does. This
 * reads {@code memory.current} itself: {@link Counters#charged} leaves the clones' pages out.
 */
class SlabObjectsOutliveRmdirTest {
    private static final int OBJECTS = 64;
    private static final int SIZE = 512;

    private static long current(Kernel k, String cgroup) {
        k.get(Rcu.class).rcuBarrier();
        k.drainAllStock();
        return k.cgroupfs().readLong(cgroup + "/memory.current");
    }

    private static long slab(Kernel k, String cgroup) {
        return k.cgroupfs().stat(cgroup, "slab_reclaimable") + k.cgroupfs().stat(cgroup, "slab_unreclaimable");
    }

    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void objectsOfARemovedCgroupAreChargedToItsParentUntilFreedFromElsewhere(Kernel k) {
        k.cgroupfs().mkdir("/p");
        k.cgroupfs().write("/p/cgroup.subtree_control", "+memory");
        MemCgroup a = k.cgroupfs().mkdir("/p/a");
        k.cgroupfs().mkdir("/p/b");
        Task allocator = k.spawn("/p/a");
        Task freer = k.spawn("/p/b");
        Kmalloc kmalloc = k.get(Kmalloc.class);
        long[] objects = new long[OBJECTS];
        try (var running = k.enter(allocator)) {
            objects[0] = kmalloc.kmalloc(SIZE, GFP_KERNEL_ACCOUNT);
        }
        current(k, "/p");                           // up to 5.8, the clone's creation work runs
        long p0 = current(k, "/p");
        long slab0 = slab(k, "/p");
        try (var running = k.enter(allocator)) {
            for (int i = 1; i < OBJECTS; i++) {
                objects[i] = kmalloc.kmalloc(SIZE, GFP_KERNEL_ACCOUNT);
                assertThat(objects[i]).isNotZero();
            }
        }
        long allocated = current(k, "/p") - p0;
        boolean objcg = k.era().compareTo(Era.V5_9) >= 0;
        if (objcg) {
            assertThat(allocated).as("obj_full_size of each object").isGreaterThanOrEqualTo((long) (OBJECTS - 1) * SIZE);
        } else {
            assertThat(allocated).as("the clone's slab pages, whole").isPositive().isEqualTo(slab(k, "/p") - slab0);
        }
        allocator.exit();
        long b0 = current(k, "/p/b");

        k.cgroupfs().rmdir("/p/a");

        assertThat(current(k, "/p") - current(k, "/p/b")).as("the parent pays for the removed cgroup's objects")
                .isGreaterThanOrEqualTo(allocated);
        assertThat(a.state()).as("reparented objcgs free the cgroup; clone pages pin it")
                .isEqualTo(objcg ? MemCgroup.State.RELEASED : MemCgroup.State.DYING);

        try (var running = k.enter(freer)) {
            for (long object : objects) {
                kmalloc.kfree(object);
            }
        }

        assertThat(current(k, "/p/b")).as("the freeing cgroup pays nothing").isEqualTo(b0);
        freer.exit();
        k.cgroupfs().rmdir("/p/b");
        assertThat(current(k, "/p")).as("every object and emptied slab is gone").isZero();
        assertThat(a.state()).isEqualTo(MemCgroup.State.RELEASED);
    }
}
