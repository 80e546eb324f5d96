package org.mmemu.memcg;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.stat.MemcgEvent;

/**
 * The memcg OOM killer ({@code mem_cgroup_out_of_memory} and the memcg parts of
 * mm/oom_kill.c): picks the task with the highest {@code oom_badness} in the OOMing cgroup's
 * subtree and kills it, or with {@code memory.oom.group} the whole subtree of the highest such
 * ancestor. A task with {@code oom_score_adj = -1000}, a kernel thread, or one without an mm is
 * never chosen.
 *
 * <p>Killing a task that no CPU runs is synchronous: the victim runs through {@code do_exit}
 * ({@link Exit}), which releases what it holds (as the oom_reaper and its exit would): its mm,
 * its files, and its cgroup. A victim that a CPU runs (the charging task itself, or a task in
 * a system call on another CPU) is only marked and exits through {@link #exitKilled} when it
 * leaves its call (mm/oom_kill.c {@code __oom_kill_process}, {@code oom_evaluate_task},
 * {@code oom_reap_task}, 6.13). Events: {@code oom_kill} on the victim's cgroup (hierarchically),
 * {@code oom_group_kill} on the group.
 */
public final class OomKiller {
    private final Object oomLock = new Object();
    private final CgroupTree tree;
    private final Tasks tasks;
    private final Provider<Set<TaskMemory>> memories;
    private final Provider<Exit> exits;
    private final KernelLog log;
    private final long totalramPages;

    /**
     * The task memories come through a provider: their owners (address spaces, pipes) sit above
     * the page allocator, whose hooks lead here, and are looked up only when an OOM happens;
     * so is {@code do_exit}, which tears address spaces down.
     */
    @Inject
    public OomKiller(CgroupTree tree, Tasks tasks, Provider<Set<TaskMemory>> memories, Provider<Exit> exits,
                     KernelLog log, MemoryConfig machine) {
        this.tree = tree;
        this.tasks = tasks;
        this.memories = memories;
        this.exits = exits;
        this.log = log;
        this.totalramPages = machine.nrPages();
    }

    /**
     * {@code mem_cgroup_out_of_memory}: true if memory was (or is being) made available: room
     * already exists, a victim was killed, or a previous victim is still dying.
     */
    public boolean outOfMemory(MemCgroup memcg, int order) {
        synchronized (oomLock) {
            if (margin(memcg) >= 1L << order) {
                return true;
            }
            List<TaskStruct> candidates = new ArrayList<>();
            tree.forEachDescendant(memcg, m -> candidates.addAll(m.tasks()));
            long total = Math.min(memcg.memory().max(), totalramPages);
            TaskStruct chosen = null;
            long chosenPoints = Long.MIN_VALUE;
            for (TaskStruct t : candidates) {
                if (unkillable(t)) {
                    continue;
                }
                TaskMemcg record = TaskMemcg.peek(t);
                if (record != null && record.oomVictim) {
                    if (t != tasks.current() && t.isRunning()) {
                        // Still in a system call on another CPU: the oom_reaper, run at once,
                        // frees nothing the emulator frees before the exit and sets
                        // MMF_OOM_SKIP, for which oom_evaluate_task passes the victim over.
                        continue;
                    }
                    // oom_evaluate_task aborts for an earlier victim that has not exited; one
                    // that no CPU runs exits now (as the reaper frees its memory meanwhile).
                    exitKilled(t);
                    return true;
                }
                long points = badness(t, total);
                if (points == Long.MIN_VALUE || points < chosenPoints) {
                    continue;
                }
                chosen = t;
                chosenPoints = points;
            }
            if (chosen == null) {
                log.printk("Out of memory and no killable processes...");
                return false;
            }
            killProcess(chosen, memcg);
            return true;
        }
    }

    /** {@code oom_badness}: pages the task would free, plus its adj in units of total/1000. */
    long badness(TaskStruct t, long totalPages) {
        int adj = t.oomScoreAdj();
        if (adj == TaskStruct.OOM_SCORE_ADJ_MIN) {
            return Long.MIN_VALUE;
        }
        long points = 0;
        for (TaskMemory m : memories.get()) {
            points += m.oomPages(t);
        }
        return points + adj * (totalPages / 1000);
    }

    private static boolean unkillable(TaskStruct t) {
        // oom_unkillable_task: init and kernel threads; find_lock_task_mm: no mm, already exited.
        return t.pid() == 1 || t.hasFlag(TaskStruct.PF_KTHREAD) || t.mm() == null;
    }

    /**
     * {@code oom_kill_process}. A victim whose exit is under way already (killed, or exiting by
     * {@code exit_group}, while a CPU runs it: {@code task_will_free_mem}, mm/oom_kill.c
     * 6.13.7) is only marked, to be passed over until it exits: no {@code oom_kill} event,
     * no log line, no group kill.
     */
    private void killProcess(TaskStruct victim, MemCgroup oomDomain) {
        if (victim.fatalSignalPending()) {
            TaskMemcg.of(victim, tree.root()).oomVictim = true;
            return;
        }
        MemCgroup group = oomGroup(victim, oomDomain);
        kill(victim);
        if (group != null) {
            group.events().raise(MemcgEvent.OOM_GROUP_KILL);
            log.printk("Tasks in " + group.path() + " are going to be killed due to memory.oom.group set");
            List<TaskStruct> members = new ArrayList<>();
            tree.forEachDescendant(group, m -> members.addAll(m.tasks()));
            for (TaskStruct t : members) {
                if (t.oomScoreAdj() != TaskStruct.OOM_SCORE_ADJ_MIN && !unkillable(t)) {
                    kill(t);
                }
            }
        }
    }

    /** {@code mem_cgroup_get_oom_group}: the highest oom.group cgroup between victim and domain. */
    private MemCgroup oomGroup(TaskStruct victim, MemCgroup oomDomain) {
        MemCgroup memcg = tree.memcgOf(victim);
        if (memcg.isRoot() || !memcg.isDescendantOf(oomDomain)) {
            return null;
        }
        MemCgroup group = null;
        for (MemCgroup m = memcg; m != null; m = m.parent()) {
            if (m.oomGroup() != 0) {
                group = m;
            }
            if (m == oomDomain) {
                break;
            }
        }
        return group;
    }

    /**
     * {@code __oom_kill_process}: mark the victim ({@code mark_oom_victim}) and SIGKILL it. A
     * victim that some CPU runs (the charging task itself, or one in a system call on another
     * CPU) cannot exit in the middle of that call: it stays a marked victim until
     * {@link #exitKilled} runs it through exit on its way back to user space. One that no CPU
     * runs exits at once (the oom_reaper and its exit when next scheduled, made synchronous):
     * {@link Exit#sigkill}, as {@code kill(2)} sends it.
     */
    private void kill(TaskStruct victim) {
        tree.memcgOf(victim).events().raise(MemcgEvent.OOM_KILL);
        TaskMemcg.of(victim, tree.root()).oomVictim = true;
        log.printk(String.format(Locale.ROOT,
                "Memory cgroup out of memory: Killed process %d (%s) oom_score_adj:%d",
                victim.pid(), victim.comm(), victim.oomScoreAdj()));
        exits.get().sigkill(victim);
    }

    /**
     * The fatal signal of a killed task is delivered ({@code exit_to_user_mode} →
     * {@code do_exit}): what the task holds is released and it leaves its cgroup. Does nothing
     * for a task that was not killed, has already exited, or that a CPU still runs (in a
     * system call there: the last CPU to leave it exits it).
     *
     * @return whether the task exited now
     */
    public boolean exitKilled(TaskStruct task) {
        return exits.get().exitIfKilled(task);
    }

    /** {@code fatal_signal_pending}: the task was killed and has not begun to exit. */
    public boolean fatalSignalPending(TaskStruct task) {
        return task.fatalSignalPending();
    }

    /** {@code mem_cgroup_margin}: pages left under memory.max. */
    static long margin(MemCgroup memcg) {
        long count = memcg.memory().read();
        long limit = memcg.memory().max();
        return count < limit ? limit - count : 0;
    }
}
