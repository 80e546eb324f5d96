package org.mmemu.memcg;

import org.mmemu.core.sched.TaskStruct;

/**
 * What a task holds that its death would free: the SPI through which the OOM killer weighs and
 * kills tasks without knowing what they own. Each module that gives tasks memory (address
 * spaces, pipes, sockets, BPF maps) binds one with {@link MemcgModule#taskMemory}.
 */
public interface TaskMemory {
    /**
     * The pages counted in {@code oom_badness} for {@code task}: its share of rss, page tables,
     * swap entries and buffers held through its files.
     */
    long oomPages(TaskStruct task);

    /**
     * The victim's {@code exit_mm} / {@code exit_files}: drop every reference the task holds, so
     * the pages are freed and uncharged (from whatever cgroup they were charged to).
     */
    void release(TaskStruct task);
}
