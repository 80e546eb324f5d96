package org.mmemu.memcg;

/**
 * Something that legitimately holds memcg charges that no page carries: objects charged byte by
 * byte through an obj_cgroup (slab objects), or pages charged with {@code try_charge} for memory
 * that is not a page of its own (socket buffers' {@code mem_cgroup_charge_skmem}). The charge
 * check ({@link MemcgChargeCheck}) counts what owners declare as attributable; anything else a
 * counter holds must be carried by a page or a per-CPU stock. Register an owner with
 * {@link MemcgModule#chargeOwners}; like mm-core's {@code PageOwner}, it finds its charges by
 * walking its own structures.
 */
@FunctionalInterface
public interface ChargeOwner {
    /** Declares every charge this owner holds that no page carries. */
    void declareCharges(Charges charges);

    /** Where an owner declares its charges. */
    interface Charges {
        /** {@code nrPages} charged to {@code memcg} with no page carrying them. */
        void pages(MemCgroup memcg, long nrPages);

        /** {@code bytes} charged through {@code objcg} for objects still alive. */
        void objcgBytes(ObjCgroup objcg, long bytes);
    }
}
