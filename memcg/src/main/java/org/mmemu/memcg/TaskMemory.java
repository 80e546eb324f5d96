package org.mmemu.memcg;

import org.mmemu.core.sched.TaskStruct;

/**
 * What a task holds that its death would free: the SPI through which the OOM killer weighs
 * tasks without knowing what they own. Each module that gives tasks memory (address spaces,
 * pipes, sockets, BPF maps) binds one with {@link MemcgModule#taskMemory}; killing a task runs
 * it through mm-core's {@code do_exit} ({@link org.mmemu.core.sched.Exit}), which releases its
 * mm, its files and, through the exit hooks, the rest.
 */
public interface TaskMemory {
    /**
     * The pages counted in {@code oom_badness} for {@code task}: its share of rss, page tables,
     * swap entries and buffers held through its files.
     */
    long oomPages(TaskStruct task);
}
