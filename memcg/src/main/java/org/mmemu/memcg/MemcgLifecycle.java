package org.mmemu.memcg;

import com.google.inject.Binder;
import com.google.inject.multibindings.Multibinder;

/**
 * A listener to the life of memory cgroups, for subsystems that keep per-cgroup state of their
 * own: the slab allocator up to 5.8 creates a cgroup's cache clones once it is online (or
 * lazily, as {@code memcg_kmem_get_cache} schedules them), deactivates them at offline and
 * destroys them once the cgroup is released ({@code memcg_online_kmem},
 * {@code memcg_offline_kmem} / {@code memcg_deactivate_kmem_caches}, {@code memcg_free_kmem} /
 * {@code memcg_destroy_kmem_caches}). Register one with {@link #listeners(Binder)}.
 *
 * <p>Calls are made outside the cgroup mutex, on the thread that made the transition. A
 * cgroup whose clones still hold slab pages stays dying (the pages hold css references), so
 * {@link #released} comes only after the last of them was freed.
 */
public interface MemcgLifecycle {
    /** {@code css_online}: {@code memcg} was created and its kmem accounting is online. */
    default void online(MemCgroup memcg) {
    }

    /**
     * {@code css_offline}: {@code memcg} was removed (rmdir) and is dying; its obj_cgroups are
     * already reparented. It may still be charged through what it holds.
     */
    default void offline(MemCgroup memcg) {
    }

    /**
     * {@code css_free}: the last css reference of {@code memcg} is gone; it is released right
     * after this returns (its address is then a use-after-free).
     */
    default void released(MemCgroup memcg) {
    }

    /** The set of listeners, to which modules add theirs. */
    static Multibinder<MemcgLifecycle> listeners(Binder binder) {
        return Multibinder.newSetBinder(binder, MemcgLifecycle.class);
    }
}
