package org.mmemu.memcg.stat;

import com.google.inject.Inject;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.vmstat.PageStatHook;
import org.mmemu.core.vmstat.VmStatItem;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;

/**
 * The memcg half of {@code __mod_lruvec_page_state} and {@code mod_memcg_page_state}: a page
 * statistic that mm-core moves (file and anon mappings, page tables, vmalloc) also moves in
 * the memcg the page's {@code memcg_data} names ({@code page_memcg} of the head page; the
 * objcg's current memcg for the latest era's kmem pages). Pages with no memcg, and slab pages
 * (whose memcg_data is an obj_cgroup vector), count only at the node.
 *
 * <p>The delta is taken as it comes, so whatever drifts at the node drifts in the memcg too:
 * a 4.8 PageKmemcg page mapped by {@code vm_insert_page} is never counted as file-mapped but
 * is uncounted on unmap, exactly like 4.8's {@code mem_cgroup_dec_page_stat}. Each memcg counts
 * every statistic here in every era; {@code memory.stat} shows the ones its era has (per-memcg
 * {@code pagetables} from 5.11, {@code vmalloc} in 6.x).
 */
public final class MemcgPageStats implements PageStatHook {
    private static final MemcgStatItem[] BY_VMSTAT = new MemcgStatItem[VmStatItem.values().length];

    static {
        BY_VMSTAT[VmStatItem.NR_FILE_MAPPED.ordinal()] = MemcgStatItem.NR_FILE_MAPPED;
        BY_VMSTAT[VmStatItem.NR_ANON_MAPPED.ordinal()] = MemcgStatItem.NR_ANON_MAPPED;
        BY_VMSTAT[VmStatItem.NR_PAGETABLE.ordinal()] = MemcgStatItem.NR_PAGETABLE;
        BY_VMSTAT[VmStatItem.NR_KERNEL_STACK_KB.ordinal()] = MemcgStatItem.NR_KERNEL_STACK_KB;
        BY_VMSTAT[VmStatItem.NR_SLAB_RECLAIMABLE_B.ordinal()] = MemcgStatItem.NR_SLAB_RECLAIMABLE_B;
        BY_VMSTAT[VmStatItem.NR_SLAB_UNRECLAIMABLE_B.ordinal()] = MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B;
        BY_VMSTAT[VmStatItem.NR_VMALLOC.ordinal()] = MemcgStatItem.MEMCG_VMALLOC;
    }

    private final MemMap memMap;
    private final MemcgData data;

    @Inject
    MemcgPageStats(MemMap memMap, MemcgData data) {
        this.memMap = memMap;
        this.data = data;
    }

    @Override
    public void modPageState(Page page, VmStatItem item, int delta) {
        MemcgStatItem mine = BY_VMSTAT[item.ordinal()];
        if (mine == null) {
            return;
        }
        Page head = CompoundHead.compoundHead(memMap, page);
        if (head.memcgData() == 0) {
            return;
        }
        MemCgroup memcg = data.pageMemcgCheck(head);
        if (memcg != null) {
            memcg.stats().mod(mine, delta);
        }
    }
}
