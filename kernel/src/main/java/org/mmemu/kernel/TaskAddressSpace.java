package org.mmemu.kernel;

import com.google.inject.Inject;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.TaskMemory;

/**
 * A task's address space as the memcg OOM killer sees it: what {@code oom_badness} counts
 * (rss, swap entries and page tables of {@code task->mm}); {@code exit_mm} frees it. The kernel
 * module binds it because it is what gives tasks their mms ({@link Kernel#spawn}).
 */
final class TaskAddressSpace implements TaskMemory {
    @Inject
    TaskAddressSpace() {
    }

    /** {@code get_mm_rss + MM_SWAPENTS + mm_pgtables_bytes / PAGE_SIZE}; 0 without a live mm. */
    @Override
    public long oomPages(TaskStruct task) {
        MmStruct mm = task.mm();
        if (mm == null || mm.pgd() == null) {
            return 0;
        }
        long pages = mm.pgtablesBytes() / MemMap.PAGE_SIZE;
        for (int i = 0; i < MmStruct.NR_MM_COUNTERS; i++) {
            pages += mm.rss(i);
        }
        return pages;
    }

}
