package org.mmemu.it.walk;

import org.mmemu.kernel.Era;

/**
 * What an era charges, as the model needs to know it:
 * <ul>
 *   <li>{@code alloc_kmem_pages} (the walk's test-only kernel pages) charges in every era;</li>
 *   <li>the generic page allocator charges {@code __GFP_ACCOUNT} pages from 4.8
 *       (mm/page_alloc.c {@code __alloc_pages_nodemask} calling {@code memcg_kmem_charge},
 *       4.8.15), which covers a process's pgd and, with "pipe: account to kmemcg", pipe pages;</li>
 *   <li>slab objects of {@code __GFP_ACCOUNT} kmallocs are charged byte by byte to the current
 *       obj_cgroup from 5.9 ({@code obj_full_size}, mm/slab.h {@code memcg_slab_post_alloc_hook},
 *       5.9.1); before, the emulator charges no slab object;</li>
 *   <li>a buffer shared by tee or a partial splice stays mergeable until 4.20.</li>
 * </ul>
 */
public record ChargeRules(boolean pgdCharged, boolean pipePagesCharged, boolean slabBytesCharged,
                   boolean sharedBuffersMergeable) {
    /** The rules of {@code era}. */
    public static ChargeRules of(Era era) {
        boolean generic = era.compareTo(Era.V4_8) >= 0;
        boolean objcg = era.compareTo(Era.V5_9) >= 0;
        return new ChargeRules(generic, generic, objcg, era.compareTo(Era.V5_9) < 0);
    }
}
