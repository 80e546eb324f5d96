package org.mmemu.memcg;

/**
 * {@code struct obj_cgroup **} of a slab page (5.9+, {@code memcg_alloc_page_obj_cgroups}): one
 * slot per object of the page, naming the obj_cgroup its object was charged to, or null for an
 * object that is free or was not accounted.
 *
 * <p>Like every emulated kernel object it is a Java object with an emulated allocation behind
 * it: {@link #address()} is what the page's {@code memcg_data} stores (with
 * {@link MemcgData#MEMCG_DATA_OBJCGS}), and {@link #backing()} the memory the kernel's
 * {@code kcalloc_node(objects, sizeof(struct obj_cgroup *), gfp)} gave it, of
 * {@link #bytes()} bytes ({@link ObjCgroupVectorMemory}). Slots are read and written by the
 * slab hooks of whichever CPU allocates or frees the object, which owns that object at that
 * moment, as in the kernel.
 */
public final class ObjCgroupVector {
    /** {@code sizeof(struct obj_cgroup *)} on x86-64. */
    public static final int POINTER_SIZE = 8;

    private final ObjCgroup[] slots;
    private final long backing;
    private long address;
    /** {@link #address} while the vector lives, 0 once freed. */
    private long liveAddress;

    ObjCgroupVector(int objects, long backing) {
        this.slots = new ObjCgroup[objects];
        this.backing = backing;
    }

    /** {@code kcalloc}'s size for {@code objects} slots. */
    public static int bytes(int objects) {
        return objects * POINTER_SIZE;
    }

    /** The vector's size in bytes, as allocated. */
    public int bytes() {
        return bytes(slots.length);
    }

    /** The number of slots ({@code objs_per_slab_page} when it was allocated). */
    public int objects() {
        return slots.length;
    }

    /** {@code page_obj_cgroups(page)[index]}. */
    public ObjCgroup get(int index) {
        return slots[index];
    }

    /** {@code page_obj_cgroups(page)[index] = objcg}. */
    void set(int index, ObjCgroup objcg) {
        slots[index] = objcg;
    }

    /** The emulated address of the vector, which memcg_data names. */
    public long address() {
        return address;
    }

    void setAddress(long address) {
        this.address = address;
        this.liveAddress = address;
    }

    /**
     * The address while the vector lives, 0 once {@link #markFreed} ran: what a CPU's lookaside
     * entry must match, so that an entry a decode filled as the vector was freed never answers.
     */
    long liveAddress() {
        return liveAddress;
    }

    /** The vector was kfree'd: no lookaside entry answers for it again. */
    void markFreed() {
        liveAddress = 0;
    }

    /** The address of the memory behind the vector, as {@link ObjCgroupVectorMemory} gave it. */
    public long backing() {
        return backing;
    }

    @Override
    public String toString() {
        return "obj_cgroup vector@" + Long.toHexString(address) + "[" + slots.length + "]";
    }
}
