package org.mmemu.memcg;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskExitHook;
import org.mmemu.core.sched.TaskStruct;

/**
 * A stand-in for the modules that give tasks memory: pages a task allocated (accounted, in its
 * own context) and holds until it dies, which is what the OOM killer weighs and, through the
 * task's exit, frees. Bind it both as a {@link TaskMemory} and as a {@link TaskExitHook}.
 */
public final class FakeTaskMemory implements TaskMemory, TaskExitHook {
    private final Map<TaskStruct, List<Page>> held = new IdentityHashMap<>();
    private MemcgMachine m;

    /** Connects the fake to the machine built with it. */
    public void attach(MemcgMachine machine) {
        this.m = machine;
    }

    /**
     * Allocates {@code n} accounted pages as {@code task}; returns how many it got (an
     * allocation the memcg refuses returns null and stops the loop).
     */
    public int allocate(TaskStruct task, int n) {
        int got = 0;
        try (var s = m.tasks.enter(task)) {
            for (int i = 0; i < n; i++) {
                Page p = m.alloc.allocPage(GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
                if (p == null) {
                    break;
                }
                synchronized (this) {
                    held.computeIfAbsent(task, k -> new ArrayList<>()).add(p);
                }
                got++;
            }
        }
        return got;
    }

    @Override
    public synchronized long oomPages(TaskStruct task) {
        List<Page> pages = held.get(task);
        return pages == null ? 0 : pages.size();
    }

    @Override
    public void exit(TaskStruct task) {
        List<Page> pages;
        synchronized (this) {
            pages = held.remove(task);
        }
        if (pages != null) {
            m.refs.releasePages(pages);
        }
    }

    /** Frees what every task still holds (test teardown). */
    public void releaseAll() {
        for (TaskStruct t : List.copyOf(held.keySet())) {
            exit(t);
        }
    }
}
