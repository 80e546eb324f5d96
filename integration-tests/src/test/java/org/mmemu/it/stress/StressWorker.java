package org.mmemu.it.stress;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.page.MemMap;
import org.mmemu.it.fixture.ChargedPages;
import org.mmemu.it.walk.ChargeRules;
import org.mmemu.it.walk.Kmalloced;
import org.mmemu.it.walk.ModelCgroup;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.slab.Kmalloc;

/**
 * One stress thread's work, on its own CPU: the walk's actions on its own tasks (spawn, fork,
 * exit, move, pipes written, tee'd, spliced and read, kernel pages, kmalloc objects) in the
 * shared cgroups, with now and then an rmdir, a re-mkdir or a {@code memory.max} write that
 * the other threads feel (EBUSY, ENOENT). It records
 * every charge it still holds, with the cgroup it was made in, for the count at quiescence.
 */
final class StressWorker {
    private static final long PAGE = MemMap.PAGE_SIZE;
    /** Pages and objects a worker holds at most, so that 8 of them fit a small machine. */
    private static final int MAX_HELD = 64;
    /**
     * The lowest memory.max written: below what the workers hold between them, so that charges
     * fail and, from 5.9, charges and limit writes run the OOM killer, whose victims may be in a
     * system call on another CPU (they exit when it returns), or be moved by another worker as
     * they exit (the move leaves them alone).
     */
    private static final long MIN_MAX_PAGES = 16;
    /** The span of the limits written above {@link #MIN_MAX_PAGES}. */
    private static final int MAX_SPAN_PAGES = 128;

    /** A charge this worker holds: what, where it was made, how many bytes. */
    private record Held(Object what, ModelCgroup cgroup, long bytes) {
    }

    /** One of the worker's tasks, the cgroup it is in, and the pipe it holds (fds, or null). */
    private static final class Mine {
        final Task task;
        final Held pgd;
        ModelCgroup cgroup;
        int[] pipe;
        int[] second;

        Mine(Task task, ModelCgroup cgroup, Held pgd) {
            this.task = task;
            this.cgroup = cgroup;
            this.pgd = pgd;
        }
    }

    private final Kernel k;
    private final SharedCgroups cgroups;
    private final ChargeRules rules;
    private final SplittableRandom rnd;
    private final List<Mine> tasks = new ArrayList<>();
    private final List<Held> held = new ArrayList<>();

    StressWorker(Kernel k, SharedCgroups cgroups, long seed) {
        this.k = k;
        this.cgroups = cgroups;
        this.rules = ChargeRules.of(k.era());
        this.rnd = new SplittableRandom(seed);
    }

    /** Works until {@code deadline} (System.nanoTime), then closes its pipes. */
    void run(long deadline) {
        while (System.nanoTime() < deadline) {
            tasks.removeIf(t -> !t.task.isAlive());
            try {
                step();
            } catch (ErrnoException e) {
                // Another thread's rmdir, limit or OOM kill got there first: the kernel's answer.
                SharedCgroups.expect(e, Errno.ESRCH, Errno.ENOMEM, Errno.ENFILE, Errno.EAGAIN, Errno.ENOENT,
                        Errno.EBUSY);
            }
        }
        for (Mine t : tasks) {
            closePipes(t);
        }
    }

    private void step() {
        Mine t = tasks.isEmpty() ? null : tasks.get(rnd.nextInt(tasks.size()));
        int op = rnd.nextInt(20);
        if (t == null || op == 0) {
            SharedCgroups.Placed p = cgroups.spawn(SharedCgroups.anyPath(rnd));
            if (p != null) {
                tasks.add(new Mine(p.task(), p.cgroup(), pgd(p.cgroup())));
            }
        } else if (op == 1 && t.pipe == null) {
            Task child = t.task.fork();
            tasks.add(new Mine(child, t.cgroup, pgd(t.cgroup)));
        } else if (op == 2) {
            closePipes(t);
            t.task.exit();
        } else if (op == 3) {
            ModelCgroup g = cgroups.move(t.task, SharedCgroups.anyPath(rnd));
            t.cgroup = g == null ? t.cgroup : g;
        } else if (op < 7) {
            pipeStep(t);
        } else if (held.size() >= MAX_HELD || op >= 13 && op < 17 && !held.isEmpty()) {
            free(held.remove(rnd.nextInt(held.size())));
        } else if (op < 10) {
            ChargedPages page = ChargedPages.charge(k, t.task, PAGE);
            if (page.bytes() > 0) {
                held.add(new Held(page, t.cgroup, PAGE));
            }
        } else if (op < 13) {
            int size = rnd.nextInt(1, 2048);
            long address;
            try (var running = k.enter(t.task)) {
                address = k.get(Kmalloc.class).kmalloc(size, GFP_KERNEL_ACCOUNT);
            }
            if (address != 0) {
                held.add(new Held(address, t.cgroup, rules.slabBytesCharged() ? Kmalloced.fullSize(k, size) : 0));
            }
        } else if (op >= 17) {
            treeStep();
        }
    }

    private Held pgd(ModelCgroup g) {
        return new Held(null, g, rules.pgdCharged() ? PAGE : 0);
    }

    /** A pipe's life in steps: made, written, tee'd or spliced into a second, read, closed. */
    private void pipeStep(Mine t) {
        if (t.pipe == null) {
            int[] first = t.task.pipe();
            try {
                t.second = t.task.pipe();
            } catch (ErrnoException e) {
                // No second pipe (ENFILE, or the task was OOM-killed meanwhile): none held.
                closeFds(t.task, first);
                throw e;
            }
            t.pipe = first;
            return;
        }
        switch (rnd.nextInt(5)) {
            case 0 -> t.task.write(t.pipe[1], new byte[rnd.nextInt(1, 3 * (int) PAGE)]);
            case 1 -> t.task.tee(t.pipe[0], t.second[1], rnd.nextInt(1, 3 * (int) PAGE));
            case 2 -> t.task.splice(t.pipe[0], t.second[1], rnd.nextInt(1, 3 * (int) PAGE));
            case 3 -> t.task.read(rnd.nextBoolean() ? t.pipe[0] : t.second[0], rnd.nextInt(1, 3 * (int) PAGE));
            default -> closePipes(t);
        }
    }

    private static void closePipes(Mine t) {
        if (t.pipe != null) {
            closeFds(t.task, t.pipe);
            closeFds(t.task, t.second);
        }
        t.pipe = null;
        t.second = null;
    }

    private static void closeFds(Task task, int[] fds) {
        if (task.isAlive()) {
            for (int fd : fds) {
                task.close(fd);
            }
        }
    }

    /**
     * rmdir and re-mkdir of a shared cgroup, or a memory.max write (which drains every CPU's
     * stock under the others' charges, and may OOM-kill a task another worker is running a
     * system call as: that one exits when its call returns).
     */
    private void treeStep() {
        String path = SharedCgroups.anyPath(rnd);
        switch (rnd.nextInt(3)) {
            case 0 -> cgroups.rmdir(path);
            case 1 -> cgroups.mkdir(path);
            default -> cgroups.setMax(path, rnd.nextBoolean() ? "max"
                    : Long.toString((MIN_MAX_PAGES + rnd.nextInt(MAX_SPAN_PAGES)) * PAGE));
        }
    }

    private void free(Held h) {
        if (h.what() instanceof ChargedPages page) {
            page.free();
        } else {
            k.get(Kmalloc.class).kfree((Long) h.what());
        }
    }

    /** Counts every charge still held at quiescence where the kernel counts it (the pgds of live tasks). */
    void countCharges() {
        for (Mine t : tasks) {
            if (t.task.isAlive()) {
                t.pgd.cgroup().charge(t.pgd.bytes());
            }
        }
        for (Held h : held) {
            h.cgroup().charge(h.bytes());
        }
    }

    /** Exits every task and frees every page and object: the teardown, on this worker's CPU. */
    void release() {
        for (Mine t : tasks) {
            if (t.task.isAlive()) {
                t.task.exit();
            }
        }
        tasks.clear();
        held.forEach(this::free);
        held.clear();
    }
}
