package org.mmemu.it.selftests;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.kmem.KmemPages;

/**
 * Kernel pages a task has charged to its cgroup: the ports' stand-in for the anonymous memory
 * the selftests touch, which the emulator does not charge. Each page is allocated with
 * {@code GFP_KERNEL_ACCOUNT} through {@code alloc_kmem_pages} (which charges in every era, the
 * 4.7 helper era included) in its own entry into the kernel, as each first touch of an anon page
 * is a page fault of its own: a task the OOM killer chose dies on its way back to user space and
 * allocates no more. Unlike anon memory the pages outlive the task; {@link #free()} frees them.
 */
final class ChargedPages {
    private final Kernel k;
    private final List<Page> pages = new ArrayList<>();

    private ChargedPages(Kernel k) {
        this.k = k;
    }

    /** None yet. */
    static ChargedPages none(Kernel k) {
        return new ChargedPages(k);
    }

    /** {@code bytes} worth of pages charged by {@code task}, or as many as it got. */
    static ChargedPages charge(Kernel k, Task task, long bytes) {
        ChargedPages charged = new ChargedPages(k);
        charged.add(task, bytes);
        return charged;
    }

    /**
     * Charges up to {@code bytes} more as {@code task}; stops at the first failed allocation or
     * once the task is dead.
     *
     * @return whether all of them were allocated
     */
    boolean add(Task task, long bytes) {
        KmemPages kmem = k.get(KmemPages.class);
        for (long n = bytes / MemMap.PAGE_SIZE; n > 0; n--) {
            if (!task.isAlive()) {
                return false;
            }
            Page page;
            try (var running = k.enter(task)) {
                page = kmem.allocKmemPages(GFP_KERNEL_ACCOUNT, 0);
            }
            if (page == null) {
                return false;
            }
            pages.add(page);
        }
        return true;
    }

    /** How many bytes were charged. */
    long bytes() {
        return pages.size() * MemMap.PAGE_SIZE;
    }

    /** {@code free_kmem_pages} of each page, from the idle context: each is uncharged. */
    void free() {
        KmemPages kmem = k.get(KmemPages.class);
        for (Page page : pages) {
            kmem.freeKmemPages(page, 0);
        }
        pages.clear();
    }
}
