package org.mmemu.memcg;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mmemu.core.KernelBug;

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
    private final ObjCgroups owner;
    private final AtomicLong refcnt = new AtomicLong(1);
    private final AtomicInteger nrChargedBytes = new AtomicInteger();
    private volatile MemCgroup memcg;
    private volatile boolean killed;
    private volatile long address;

    ObjCgroup(ObjCgroups owner, MemCgroup memcg) {
        this.owner = owner;
        this.memcg = memcg;
    }

    /** {@code obj_cgroup_memcg}: the cgroup charges go to now (changes on reparenting). */
    public MemCgroup memcg() {
        return memcg;
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

    /** The reference count (the initial reference counts until reparenting kills it). */
    public long refs() {
        return refcnt.get();
    }

    /** Whether the initial reference was killed (the owning cgroup went offline). */
    public boolean isKilled() {
        return killed;
    }

    /** {@code obj_cgroup_get}. */
    public void get() {
        long before = refcnt.getAndIncrement();
        if (before <= 0) {
            refcnt.getAndDecrement();
            throw new KernelBug("obj_cgroup_get on a released obj_cgroup at 0x" + Long.toHexString(address));
        }
    }

    /** {@code obj_cgroup_put}: the last reference after the kill releases the objcg. */
    public void put() {
        long now = refcnt.decrementAndGet();
        if (now < 0) {
            throw new KernelBug("obj_cgroup_put underflow at 0x" + Long.toHexString(address));
        }
        if (now == 0) {
            owner.release(this);
        }
    }

    /** {@code percpu_ref_kill}: drops the initial reference once, at reparenting. */
    void kill() {
        killed = true;
        put();
    }

    @Override
    public String toString() {
        return "obj_cgroup@" + Long.toHexString(address) + "->" + memcg;
    }
}
