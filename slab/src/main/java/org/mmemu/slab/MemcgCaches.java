package org.mmemu.slab;

import static org.mmemu.core.page.Gfp.GFP_NOWAIT;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.mmemu.core.KernelBug;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgLifecycle;

/**
 * The per-cgroup clones of the root caches, up to 5.8, and their life with the cgroup's
 * (mm/memcontrol.c {@code memcg_schedule_kmem_cache_create},
 * {@code memcg_kmem_cache_create_func}; mm/slab_common.c {@code memcg_create_kmem_cache},
 * {@code memcg_deactivate_kmem_caches}, {@code memcg_destroy_kmem_caches}; 4.6.2, 4.8.15 and 4.18):
 *
 * <pre>
 *  first accounted allocation   the creation is queued as work (a kmalloc'ed work item); until
 *  of a cgroup from a cache     it runs the cgroup allocates from the root cache, uncharged
 *  the work runs                "name(serial:cgroup)" joins slab_caches and the root's array at
 *                               the cgroup's kmemcg id, unless the cgroup went offline
 *  rmdir (offline)              each clone leaves the array and keeps no empty slab from now
 *                               on (min_partial 0); its CPU slabs and empty slabs go at once
 *                               (4.6, 4.8) or after an RCU grace period and a work item (4.18,
 *                               {@link CloneDeactivation}); the kmemcg id then goes to the
 *                               parent (memcg): new allocations use its clones
 *  css_free (released)          the clones, now empty (their slab pages held the cgroup), are
 *                               shut down; a clone with slabs left is the kernel's BUG_ON
 * </pre>
 *
 * A {@link MemcgLifecycle} listener. While a 4.18 deactivation waits, the clone's cgroup is
 * pinned (a css reference) and still charged for the slabs it keeps, so it stays dying.
 */
final class MemcgCaches implements MemcgLifecycle {
    /**
     * {@code sizeof(struct memcg_kmem_cache_create_work)} on x86-64: two pointers and a
     * {@code work_struct} (32 bytes), from kmalloc-64.
     */
    static final int CREATE_WORK_SIZE = 48;

    private final Provider<SlabCaches> caches;
    private final Provider<Kmalloc> kmalloc;
    private final Cpus cpus;
    private final Rcu rcu;
    private final CloneDeactivation deactivation;

    @Inject
    MemcgCaches(Provider<SlabCaches> caches, Provider<Kmalloc> kmalloc, Cpus cpus, Rcu rcu,
                CloneDeactivation deactivation) {
        this.caches = caches;
        this.kmalloc = kmalloc;
        this.cpus = cpus;
        this.rcu = rcu;
        this.deactivation = deactivation;
    }

    /**
     * {@code memcg_schedule_kmem_cache_create}: queues the creation of {@code memcg}'s clone of
     * {@code root} on {@code cpu}, the caller's, holding a css reference for the work; nothing if
     * the work item cannot be allocated ({@code GFP_NOWAIT}, unaccounted).
     */
    void scheduleCreate(Cpu cpu, MemCgroup memcg, KmemCache root) {
        Kmalloc k = kmalloc.get();
        long cw = k.kmalloc(CREATE_WORK_SIZE, GFP_NOWAIT);
        if (cw == 0) {
            return;
        }
        memcg.cssGet(cpu, 1);
        cpus.queueWork(cpu, () -> {
            // memcg_kmem_cache_create_func
            create(memcg, root);
            memcg.cssPut(1);
            k.kfree(cw);
        });
    }

    /**
     * {@code memcg_create_kmem_cache}: the clone, unless the cgroup is offline, the root was
     * destroyed meanwhile, or another work item made it first.
     */
    void create(MemCgroup memcg, KmemCache root) {
        SlabCaches slab = caches.get();
        synchronized (slab) {
            int idx = memcg.kmemcgId();
            if (!memcg.isOnline() || root.refcount <= 0 || root.cacheFromMemcgIdx(idx) != null) {
                return;
            }
            String name = String.format(Locale.ROOT, "%s(%d:%s)", root.name(), memcg.serialNr(), memcg.name());
            KmemCache s = slab.createClone(name, root, memcg);
            root.children.add(s);
            AtomicReferenceArray<KmemCache> arr = root.memcgCaches;
            if (idx >= arr.length()) {
                // memcg_update_cache_size: a longer copy, published whole
                AtomicReferenceArray<KmemCache> bigger = new AtomicReferenceArray<>(Math.max(2 * (idx + 1), 4));
                for (int i = 0; i < arr.length(); i++) {
                    bigger.set(i, arr.get(i));
                }
                root.memcgCaches = bigger;
                arr = bigger;
            }
            arr.set(idx, s);
        }
    }

    /** {@code memcg_deactivate_kmem_caches}, from {@code memcg_offline_kmem}. */
    @Override
    public void offline(MemCgroup memcg) {
        int idx = memcg.kmemcgId();
        if (idx < 0) {
            return;
        }
        SlabCaches slab = caches.get();
        synchronized (slab) {
            for (KmemCache s : slab.caches()) {
                KmemCache c = s.isRootCache() ? s.cacheFromMemcgIdx(idx) : null;
                if (c != null) {
                    deactivate(slab, c);
                    s.memcgCaches.set(idx, null);
                }
            }
        }
    }

    /**
     * {@code __kmem_cache_shrink(c, true)} (4.6, 4.8) or {@code __kmemcg_cache_deactivate}
     * (4.18): {@code c} keeps no empty slab from now on, and is shrunk at once (in 4.8 after the
     * grace period its {@code synchronize_sched} waits for; 4.6's {@code kick_all_cpus_sync}
     * only publishes a {@code cpu_partial} of 0, and this SLUB has no per-CPU partial lists), or
     * by work queued from an RCU callback in 4.18, which pins the cgroup until it has run. A
     * running CPU's slab of {@code c} leaves it at that CPU's next schedule point
     * ({@link Slub#flushAll}), emptied or not; from then on the slab is freed once empty. The
     * caller holds {@code slab_mutex}.
     */
    private void deactivate(SlabCaches slab, KmemCache c) {
        c.setMinPartial(0);
        if (!deactivation.afterGracePeriod()) {
            if (deactivation.waitsGracePeriod()) {
                rcu.synchronizeRcu();
            }
            slab.kmemCacheShrink(c);
            return;
        }
        // slab_deactivate_memcg_cache_rcu_sched: not while the root's destroy waits for these.
        if (c.rootCache().dying) {
            return;
        }
        MemCgroup memcg = c.memcg();
        memcg.cssGet(1);
        // kmemcg_deactivate_rcufn bounces to kmemcg_deactivate_workfn, which may take slab_mutex.
        rcu.callRcu(() -> cpus.queueWork(cpus.current(), () -> {
            synchronized (slab) {
                slab.kmemCacheShrink(c);
            }
            memcg.cssPut(1);
        }));
    }

    /**
     * {@code flush_memcg_workqueue} at the start of {@code kmem_cache_destroy} (4.18): the root
     * is marked dying, then the deactivations already deferred (an RCU barrier) and the work
     * they queued (a flush, of every CPU's work here) are waited out. Nothing in 4.8, nor for a
     * root that never had a clone.
     */
    void flushMemcgWorkqueue(KmemCache root) {
        if (!deactivation.afterGracePeriod() || root.children.isEmpty()) {
            return;
        }
        synchronized (caches.get()) {
            root.dying = true;
        }
        rcu.rcuBarrier();
        cpus.flushWork();
    }

    /** {@code memcg_destroy_kmem_caches}, from {@code memcg_free_kmem} at css_free. */
    @Override
    public void released(MemCgroup memcg) {
        SlabCaches slab = caches.get();
        synchronized (slab) {
            for (KmemCache s : slab.caches()) {
                if (s.memcg() == memcg && !slab.shutdownCache(s)) {
                    throw new KernelBug("kernel BUG at mm/slab_common.c (memcg_destroy_kmem_caches:"
                            + " BUG_ON(shutdown_cache(" + s.name() + ")))");
                }
            }
        }
    }
}
