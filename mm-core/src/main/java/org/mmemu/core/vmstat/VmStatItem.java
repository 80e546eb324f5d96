package org.mmemu.core.vmstat;

/**
 * The vmstat counters the emulated paths keep ({@code enum node_stat_item},
 * {@code enum zone_stat_item} and {@code enum vm_event_item}, merged), named as
 * {@code /proc/vmstat} prints them.
 */
public enum VmStatItem {
    NR_FILE_MAPPED("nr_mapped"),
    NR_ANON_MAPPED("nr_anon_pages"),
    NR_PAGETABLE("nr_page_table_pages"),
    NR_KERNEL_STACK_KB("nr_kernel_stack"),
    NR_SLAB_RECLAIMABLE_B("nr_slab_reclaimable"),
    NR_SLAB_UNRECLAIMABLE_B("nr_slab_unreclaimable"),
    NR_VMALLOC("nr_vmalloc"),
    PGALLOC("pgalloc_normal"),
    PGFREE("pgfree");

    private final String procName;

    VmStatItem(String procName) {
        this.procName = procName;
    }

    /** The name {@code /proc/vmstat} prints. */
    public String procName() {
        return procName;
    }
}
