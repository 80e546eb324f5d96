package org.mmemu.kernel.escape;

import com.google.common.util.concurrent.Futures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.MemCgroup;

/**
 * The escape matrix: each {@link EscapePath} driven under each {@link Era} by one process in a
 * cgroup whose {@code memory.max} is the limit, on a fresh machine per cell, until the path's
 * calls fail (an errno, the process killed) or the process has made the kernel allocate
 * {@value #BUDGET_LIMITS} times the limit. Per cell it measures, from the allocator's and the
 * cgroup's own counters ({@link KernelMemoryMeter}), the kernel memory allocated and what was
 * charged at the drive's high-water mark; then it kills the process, frees what the path's
 * stand-in calls made, removes the cgroup and closes the machine, whose checks report any leak.
 * Cells share nothing, so they run on as many threads as the host has processors (at most
 * {@value #MAX_THREADS}).
 */
public final class EscapeMatrix {
    /** The default {@code memory.max}: 8 MiB. */
    public static final long DEFAULT_LIMIT = 8L << 20;
    /** The smallest limit: 1 MiB. */
    public static final long MIN_LIMIT = 1L << 20;
    /** The largest limit: 64 MiB (a 1 GiB budget, a machine of 1.3 GiB per cell). */
    public static final long MAX_LIMIT = 64L << 20;
    /** The drive stops once the kernel allocated this many times the limit. */
    public static final int BUDGET_LIMITS = 16;
    /** An escape below the limit divided by this (and below {@link #MIN_TOLERANCE}) is slack, not a hole. */
    public static final int TOLERANCE_DIVISOR = 8;
    /** Slack any cell may have: a cache's first slab pages, a stock's pre-charge. */
    public static final long MIN_TOLERANCE = 256L << 10;

    /** Cells run at once, at most: each holds a machine with up to a budget's worth of pages written. */
    public static final int MAX_THREADS = 4;

    private static final String CGROUP = "/escape";
    private static final long MACHINE_SLACK = 16L << 20;
    private static final long MACHINE_ALIGN = 4L << 20;

    private final long limit;

    /**
     * @throws IllegalArgumentException for a limit outside {@link #MIN_LIMIT}..{@link #MAX_LIMIT}
     *     or not a whole number of pages
     */
    public EscapeMatrix(long limitBytes) {
        this.limit = requireLimit(limitBytes);
    }

    /**
     * {@code limitBytes} if the matrix takes it as a limit.
     *
     * @throws IllegalArgumentException outside {@link #MIN_LIMIT}..{@link #MAX_LIMIT} or not whole pages
     */
    public static long requireLimit(long limitBytes) {
        if (limitBytes < MIN_LIMIT || limitBytes > MAX_LIMIT || limitBytes % MemMap.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("a limit of " + limitBytes + " bytes is not a whole number of pages from "
                    + (MIN_LIMIT >> 20) + "M to " + (MAX_LIMIT >> 20) + "M");
        }
        return limitBytes;
    }

    public long limit() {
        return limit;
    }

    /** What a cell may leave uncharged and still hold: the limit / {@value #TOLERANCE_DIVISOR}, at least 256 KiB. */
    public long tolerance() {
        return Math.max(limit / TOLERANCE_DIVISOR, MIN_TOLERANCE);
    }

    /**
     * Every cell, path by path (rows) and era by era, each handed to {@code done} as it ends
     * (from the thread that ran it, one call at a time).
     */
    public List<EscapeCell> run(List<EscapePath> paths, List<Era> eras, Consumer<EscapeCell> done) {
        int threads = Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "escape-matrix");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<EscapeCell>> futures = new ArrayList<>();
            for (EscapePath path : paths) {
                for (Era era : eras) {
                    futures.add(pool.submit(() -> {
                        EscapeCell cell = cell(path, era);
                        synchronized (done) {
                            done.accept(cell);
                        }
                        return cell;
                    }));
                }
            }
            List<EscapeCell> cells = new ArrayList<>();
            for (Future<EscapeCell> f : futures) {
                cells.add(Futures.getUnchecked(f));
            }
            return cells;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One cell on a fresh machine. */
    public EscapeCell cell(EscapePath path, Era era) {
        if (!path.appliesTo(era)) {
            return EscapeCell.notApplicable(path.name(), era, limit);
        }
        List<String> problems = new ArrayList<>();
        Kernel kernel = Kernel.boot(era, path.configure(KernelConfig.memory(machineBytes() + "")));
        EscapeCell cell;
        try {
            cell = drive(kernel, path, era, problems);
        } finally {
            try {
                kernel.close();
            } catch (ConsistencyFailure f) {
                problems.addAll(f.problems());
            }
        }
        return cell.withProblems(problems);
    }

    /** Room for the budget and the machine's own pages, on a 4 MiB boundary. */
    private long machineBytes() {
        long bytes = BUDGET_LIMITS * limit + BUDGET_LIMITS * limit / 4 + MACHINE_SLACK;
        return (bytes + MACHINE_ALIGN - 1) / MACHINE_ALIGN * MACHINE_ALIGN;
    }

    /** The drive and its teardown; the cell's problems are the teardown's, added to {@code problems}. */
    private EscapeCell drive(Kernel kernel, EscapePath path, Era era, List<String> problems) {
        kernel.cgroupfs().mkdir(CGROUP);
        kernel.cgroupfs().write(CGROUP + "/memory.max", Long.toString(limit));
        MemCgroup memcg = kernel.get(CgroupTree.class).lookup(CGROUP);
        Task task = kernel.spawn("escape", CGROUP);
        PathDrive drive = path.start(kernel, task);
        KernelMemoryMeter meter = new KernelMemoryMeter(kernel, memcg);
        long budget = BUDGET_LIMITS * limit / MemMap.PAGE_SIZE;
        long steps = 0;
        long highAllocated = 0;
        long highCharged = 0;
        long maxCurrent = meter.currentPages();
        String stop;
        while (true) {
            try {
                drive.step();
            } catch (ErrnoException e) {
                stop = task.isAlive() ? e.errno().name() : "killed";
                break;
            }
            steps++;
            long allocated = meter.allocatedPages();
            maxCurrent = Math.max(maxCurrent, meter.currentPages());
            // The figures of the drive's high-water mark: a process killed at the end takes its pages with it.
            if (allocated > highAllocated) {
                highAllocated = allocated;
                highCharged = meter.chargedPages();
            }
            if (!task.isAlive()) {
                stop = "killed";
                break;
            }
            if (allocated >= budget) {
                stop = "budget";
                break;
            }
        }
        tearDown(kernel, task, drive, memcg, problems);
        long allocatedBytes = highAllocated * MemMap.PAGE_SIZE;
        long chargedBytes = highCharged * MemMap.PAGE_SIZE;
        long maxCurrentBytes = maxCurrent * MemMap.PAGE_SIZE;
        // try_charge forces a dying task's charge past memory.max: a few pages over are the kernel's design.
        boolean escaped = allocatedBytes - chargedBytes > tolerance();
        boolean held = !escaped && maxCurrentBytes <= limit + tolerance();
        return new EscapeCell(path.name(), era, true, limit, allocatedBytes, chargedBytes, maxCurrentBytes, steps,
                stop, escaped, held, List.of());
    }

    /** The process dies, the path's leftovers go, the cgroup must be removable and then hold no charge. */
    private static void tearDown(Kernel kernel, Task task, PathDrive drive, MemCgroup memcg, List<String> problems) {
        if (task.isAlive()) {
            task.kill();
        }
        drive.release();
        kernel.get(Rcu.class).rcuBarrier();
        kernel.drainAllStock();
        try {
            kernel.cgroupfs().rmdir(CGROUP);
        } catch (ErrnoException e) {
            problems.add("rmdir " + CGROUP + ": " + e.getMessage());
        }
        // Checked after rmdir: up to 5.8 a live cgroup's cache clones keep their empty slab pages
        // (charged) until the cgroup goes offline and the clones are deactivated.
        kernel.get(Rcu.class).rcuBarrier();
        kernel.drainAllStock();
        long left = memcg.memory().read();
        if (left != 0) {
            problems.add(CGROUP + " still has " + left + " page(s) charged after its process died, the path was"
                    + " released and the cgroup removed");
        }
    }
}
