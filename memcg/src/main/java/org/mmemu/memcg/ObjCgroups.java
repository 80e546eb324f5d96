package org.mmemu.memcg;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * obj_cgroup management (mm/memcontrol.c): allocation when a cgroup's kmem accounting comes
 * online, reparenting when it goes offline, release with the last reference, and the
 * byte-precise {@code obj_cgroup_charge}/{@code obj_cgroup_uncharge} the slab module uses.
 *
 * <p>Byte charges are rounded up to pages at the counters; the unused tail of the last page
 * waits in the per-CPU byte stock ({@link ChargeStock}) for the next small charge, and is
 * flushed into {@code objcg->nr_charged_bytes} when the stock moves to another objcg.
 */
public final class ObjCgroups {
    private final Object objcgLock = new Object();
    private final KernelObjects objects;
    private final MemcgCharger charger;
    private final ChargeStock stock;
    private final KernelLog log;
    private final Cpus cpus;
    private final CgroupTree tree;
    private final CurrentMemcg current;

    @Inject
    public ObjCgroups(KernelObjects objects, MemcgCharger charger, KernelLog log, Cpus cpus,
                      CgroupTree tree, CurrentMemcg current) {
        this.objects = objects;
        this.current = current;
        this.cpus = cpus;
        this.tree = tree;
        this.charger = charger;
        this.stock = charger.stock();
        this.log = log;
    }

    /** {@code memcg_online_kmem}: gives a non-root cgroup its first obj_cgroup. */
    void online(MemCgroup memcg) {
        if (memcg.isRoot()) {
            return;
        }
        ObjCgroup objcg = new ObjCgroup(this, cpus, memcg);
        objcg.setAddress(objects.register(objcg));
        memcg.setObjcg(objcg);
    }

    /**
     * {@code memcg_reparent_objcgs}, the list move: the cgroup's objcg, and every objcg already
     * reparented to it, now charge {@code memcg}'s parent. Called under the cgroup mutex, in the
     * same critical section as the unlink, so that a parent removed concurrently finds its
     * children's objcgs on its own list. Returns the objcg whose initial reference the caller
     * kills ({@link ObjCgroup#kill()}) once out of the mutex, or null.
     */
    ObjCgroup reparentLocked(MemCgroup memcg) {
        ObjCgroup objcg = memcg.objcg();
        if (objcg == null) {
            return null;
        }
        MemCgroup parent = memcg.parent();
        memcg.setObjcg(null);
        synchronized (objcgLock) {
            List<ObjCgroup> moving = memcg.objcgListLocked();
            moving.add(objcg);
            for (ObjCgroup o : moving) {
                o.setMemcg(parent);
            }
            parent.objcgListLocked().addAll(moving);
            moving.clear();
        }
        return objcg;
    }

    /**
     * {@code obj_cgroup_release}: the last reference is gone; leftover whole pages in
     * {@code nr_charged_bytes} are uncharged (a sub-page rest would be a kernel WARN) and the
     * objcg is freed.
     */
    void release(ObjCgroup objcg) {
        int nrBytes = objcg.nrChargedBytes().get();
        if ((nrBytes & (MemMap.PAGE_SIZE - 1)) != 0) {
            log.printk("WARNING: obj_cgroup_release: nr_charged_bytes " + nrBytes + " is not page aligned");
        }
        int nrPages = nrBytes >>> MemMap.PAGE_SHIFT;
        if (nrPages > 0) {
            stock.unchargeObjcgPages(cpus.current(), objcg, nrPages);
        }
        synchronized (objcgLock) {
            objcg.memcg().objcgListLocked().remove(objcg);
        }
        objects.free(objcg.address());
    }

    /** {@code obj_cgroup_charge}: charges {@code size} bytes, whole pages at the counters. */
    public int charge(ObjCgroup objcg, int gfp, int size) {
        return charge(cpus.current(), objcg, gfp, size);
    }

    /**
     * {@link #charge(ObjCgroup, int, int)} on {@code cpu}, the calling thread's CPU: a hit in
     * its byte stock touches no shared word and allocates nothing.
     */
    public int charge(Cpu cpu, ObjCgroup objcg, int gfp, int size) {
        return chargeAccount(cpu, objcg, gfp, size, null);
    }

    /**
     * {@code obj_cgroup_charge_account} (6.14+) on {@code cpu}, the calling thread's CPU: the
     * charge of a slab object, whose {@code size} bytes of the slab statistic {@code idx} (null:
     * none) are cached in the same obj stock entry as its charge.
     */
    public int chargeAccount(Cpu cpu, ObjCgroup objcg, int gfp, int size, MemcgStatItem idx) {
        if (stock.consumeObj(cpu, objcg, size, idx)) {
            return 0;
        }
        int nrPages = size >>> MemMap.PAGE_SHIFT;
        int nrBytes = size & (MemMap.PAGE_SIZE - 1);
        if (nrBytes != 0) {
            nrPages++;
        }
        int ret = chargePages(cpu, objcg, gfp, nrPages);
        if (ret == 0 && (nrBytes != 0 || idx != null)) {
            stock.refillObj(cpu, objcg, nrBytes != 0 ? MemMap.PAGE_SIZE - nrBytes : 0, false, idx, size);
        }
        return ret;
    }

    /** {@code obj_cgroup_uncharge}: the bytes go back to this CPU's byte stock. */
    public void uncharge(ObjCgroup objcg, int size) {
        uncharge(cpus.current(), objcg, size);
    }

    /** {@link #uncharge(ObjCgroup, int)} on {@code cpu}, the calling thread's CPU. */
    public void uncharge(Cpu cpu, ObjCgroup objcg, int size) {
        stock.refillObj(cpu, objcg, size, true);
    }

    /**
     * The uncharge of a slab object (6.14+'s {@code __memcg_slab_free_hook}): its {@code size}
     * bytes and the statistic {@code idx} go back through one obj stock entry.
     */
    public void unchargeAccount(Cpu cpu, ObjCgroup objcg, int size, MemcgStatItem idx) {
        stock.refillObj(cpu, objcg, size, true, idx, -size);
    }

    /**
     * {@code get_obj_cgroup_from_current} (5.9 to 5.11): the obj_cgroup of the active memcg or
     * of the current task's cgroup, or of its nearest ancestor that still has one, with a
     * reference the caller drops ({@link ObjCgroup#put(Cpu)}); null when accounting is bypassed
     * ({@code memcg_kmem_bypass}) or only the root is left. The latest era caches the task's
     * objcg instead: {@link #currentObjcg(Cpu)}.
     */
    public ObjCgroup getObjCgroupFromCurrent(Cpu cpu) {
        for (MemCgroup m = current.chargeTarget(cpu); m != null && !m.isRoot(); m = m.parent()) {
            ObjCgroup objcg = m.objcg();
            if (objcg != null && objcg.tryGet(cpu)) {
                return objcg;
            }
        }
        return null;
    }

    /** {@code obj_cgroup_charge_pages}: whole pages to the objcg's current memcg. */
    public int chargePages(ObjCgroup objcg, int gfp, int nrPages) {
        return chargePages(cpus.current(), objcg, gfp, nrPages);
    }

    /** {@link #chargePages(ObjCgroup, int, int)} on {@code cpu}, the calling thread's CPU. */
    public int chargePages(Cpu cpu, ObjCgroup objcg, int gfp, int nrPages) {
        // The objcg's memcg is pinned for the charge: a reparenting may be releasing it.
        MemCgroup memcg = objcg.getMemCgroup(cpu);
        int ret = charger.kmemCharge(cpu, memcg, gfp, nrPages);
        memcg.cssPut(cpu, 1);
        return ret;
    }

    /** {@code obj_cgroup_uncharge_pages} on {@code cpu}, the calling thread's CPU. */
    public void unchargePages(Cpu cpu, ObjCgroup objcg, int nrPages) {
        stock.unchargeObjcgPages(cpu, objcg, nrPages);
    }

    /**
     * {@code current_obj_cgroup} (6.8+): the obj_cgroup the task running on {@code cpu} charges,
     * or null when its kernel memory is not accounted (no mm, a kernel thread, the root). An
     * active memcg decides without a reference; otherwise the task's own
     * {@code current->objcg}, found again ({@code current_objcg_update}) after the task moved,
     * which holds a reference until the task moves on and charges again, or exits.
     */
    public ObjCgroup currentObjcg(Cpu cpu) {
        TaskStruct current = cpu.current();
        TaskMemcg t = TaskMemcg.peek(current);
        if (t == null) {
            return null;
        }
        MemCgroup active = t.activeMemcg;
        if (active != null) {
            return objcgOf(active);
        }
        return t.objcgUpdate ? objcgUpdate(cpu, current, t) : t.objcg;
    }

    /** {@code current_objcg_update}: drop the old reference, take one on the new objcg. */
    private ObjCgroup objcgUpdate(Cpu cpu, TaskStruct current, TaskMemcg t) {
        t.objcgUpdate = false;
        ObjCgroup old = t.takeObjcg();
        if (old != null) {
            old.put(cpu);
        }
        if (current.mm() == null || current.hasFlag(TaskStruct.PF_KTHREAD) || t.exited) {
            return null;
        }
        for (MemCgroup m = tree.memcgOf(t); m != null && !m.isRoot(); m = m.parent()) {
            ObjCgroup objcg = m.objcg();
            if (objcg != null && objcg.tryGet(cpu)) {
                t.objcg = objcg;
                if (t.exited) {
                    // Exit ran meanwhile (the OOM killer's): not charged, reference dropped
                    // by whichever of us takes it.
                    ObjCgroup mine = t.takeObjcg();
                    if (mine != null) {
                        mine.put(cpu);
                    }
                    return null;
                }
                return objcg;
            }
        }
        return null;
    }

    /**
     * {@code current_obj_cgroup} from a memcg: the objcg of {@code memcg} or of its nearest
     * ancestor that still has one; null at the root (root charges are not accounted).
     */
    public ObjCgroup objcgOf(MemCgroup memcg) {
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent()) {
            ObjCgroup objcg = m.objcg();
            if (objcg != null) {
                return objcg;
            }
        }
        return null;
    }

    /** Every live objcg reparented to {@code memcg} (diagnostics and tests). */
    public List<ObjCgroup> reparentedTo(MemCgroup memcg) {
        synchronized (objcgLock) {
            return new ArrayList<>(memcg.objcgListLocked());
        }
    }
}
