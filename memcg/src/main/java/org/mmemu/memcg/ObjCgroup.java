package org.mmemu.memcg;

import java.util.concurrent.atomic.AtomicInteger;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.PercpuRef;

/**
 * {@code struct obj_cgroup}: a reference-counted handle through which kernel objects and (in the
 * latest era) kmem pages are charged, so that the charge can follow the cgroup's reparenting
 * after rmdir instead of pinning the removed cgroup.
 *
 * <pre>
 *   online:   memcg A ──objcg──► objcg#1 ──memcg──► A
 *   rmdir A:  A.objcg = null; objcg#1 (and every objcg already reparented to A) ──memcg──► parent;
 *             the initial reference is killed: objcg#1 is freed when the last page/object
 *             holding it is uncharged, and A itself can be released before that
 * </pre>
 *
 * <p>{@code nr_charged_bytes} holds sub-page remainders flushed from per-CPU byte stocks; at
 * release they must add up to whole pages, which are uncharged from the current memcg.
 */
public final class ObjCgroup {
    private final PercpuRef refcnt;
    private final AtomicInteger nrChargedBytes = new AtomicInteger();
    private volatile MemCgroup memcg;
    private volatile long address;

    ObjCgroup(ObjCgroups owner, Cpus cpus, MemCgroup memcg) {
        this.memcg = memcg;
        this.refcnt = new PercpuRef(cpus, "obj_cgroup", this, () -> owner.release(this));
    }

    /** {@code obj_cgroup_memcg}: the cgroup charges go to now (changes on reparenting). */
    public MemCgroup memcg() {
        return memcg;
    }

    /**
     * {@code get_mem_cgroup_from_objcg}: {@link #memcg()} with a css reference the caller drops.
     * If the cgroup read was released meanwhile, the objcg has been reparented already: read it
     * again.
     */
    public MemCgroup getMemCgroup(Cpu cpu) {
        while (true) {
            MemCgroup m = memcg;
            if (m.cssTryGet(cpu)) {
                return m;
            }
        }
    }

    void setMemcg(MemCgroup memcg) {
        this.memcg = memcg;
    }

    /** The emulated address of this {@code struct obj_cgroup} (what memcg_data stores). */
    public long address() {
        return address;
    }

    void setAddress(long address) {
        this.address = address;
    }

    /** {@code objcg->nr_charged_bytes}. */
    AtomicInteger nrChargedBytes() {
        return nrChargedBytes;
    }

    /** The current charged-bytes remainder (for tests and leak checks). */
    public int chargedBytes() {
        return nrChargedBytes.get();
    }

    /**
     * The reference count, the initial reference included until reparenting kills it (per-CPU
     * counts summed without stopping the CPUs: exact at quiescence).
     */
    public long refs() {
        return refcnt.count();
    }

    /** Whether the initial reference was killed (the owning cgroup went offline). */
    public boolean isKilled() {
        return refcnt.isDying();
    }

    /** {@code obj_cgroup_get}. */
    public void get() {
        refcnt.get(1);
    }

    /** {@code obj_cgroup_get} on {@code cpu}, the calling thread's CPU. */
    public void get(Cpu cpu) {
        refcnt.get(cpu, 1);
    }

    /** {@code obj_cgroup_tryget} on {@code cpu}: false once the objcg was released. */
    boolean tryGet(Cpu cpu) {
        return refcnt.tryGet(cpu);
    }

    /** {@code obj_cgroup_put}: the last reference after the kill releases the objcg. */
    public void put() {
        refcnt.put(1);
    }

    /** {@code obj_cgroup_put} on {@code cpu}, the calling thread's CPU. */
    public void put(Cpu cpu) {
        refcnt.put(cpu, 1);
    }

    /** {@code percpu_ref_kill}: drops the initial reference once, at reparenting. */
    void kill() {
        refcnt.kill();
    }

    @Override
    public String toString() {
        return "obj_cgroup@" + Long.toHexString(address) + "->" + memcg;
    }
}
