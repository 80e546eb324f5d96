package org.mmemu.memcg.fs;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemoryStat;
import org.mmemu.memcg.OomKiller;
import org.mmemu.memcg.PageCounter;
import org.mmemu.memcg.stat.MemcgEvent;

/**
 * The cgroup v2 file system, as user space sees it: {@code mkdir}, {@code rmdir}, and the
 * {@code cgroup.*} and {@code memory.*} files with the kernel's text formats and errnos, for the
 * files the era has ({@link CgroupFsLayout}). Paths are absolute from the cgroup root
 * ({@code "/job/memory.max"}). Errors are thrown as {@link ErrnoException}; a failed write
 * changes nothing.
 *
 * <p>Writes to {@code memory.max} take effect at once, then drain the stocks and, while usage
 * is still above the limit (the emulator reclaims nothing), count {@code oom} and run the OOM
 * killer until it fits or nobody is left to kill, as {@code memory_max_write} does.
 * {@code memory.high} is stored and drains the stocks; exceeding it only counts {@code high}.
 * The protections ({@code memory.min}, {@code memory.low}) and the swap limits
 * ({@code memory.swap.max}, {@code memory.swap.high}) are parsed and stored as the kernel does;
 * they act only on reclaim and swap-out, which are not emulated, so they change nothing else. A
 * {@code memory.reclaim} write of a page or more is {@code EAGAIN} (nothing is reclaimable), and
 * {@code memory.pressure} reads as a group that never stalled ({@link Pressure}).
 */
public final class CgroupFs {
    /** The token a limit file prints and takes for {@code PAGE_COUNTER_MAX}. */
    private static final String MAX = "max";

    private final Cgroups cgroups;
    private final CgroupTree tree;
    private final MemoryStat memoryStat;
    private final MemcgCharger charger;
    private final OomKiller oom;
    private final Tasks tasks;
    private final CgroupFsLayout layout;
    private final PeakFiles peaks = new PeakFiles();

    @Inject
    public CgroupFs(Cgroups cgroups, MemoryStat memoryStat, MemcgCharger charger, OomKiller oom,
                    Tasks tasks, CgroupFsLayout layout) {
        this.cgroups = cgroups;
        this.tree = cgroups.tree();
        this.memoryStat = memoryStat;
        this.charger = charger;
        this.oom = oom;
        this.tasks = tasks;
        this.layout = layout;
    }

    // ---- directories -------------------------------------------------------------------------

    /**
     * {@code mkdir(2)}: {@code EEXIST} for a name already taken, by a cgroup or by one of the
     * parent's files, for {@code .} and {@code ..} and for the root itself; {@code ENOENT} for a
     * missing parent; {@code EINVAL} for a name with a newline ({@code cgroup_mkdir}).
     */
    public MemCgroup mkdir(String path) {
        String p = normalize(path);
        Entry e = entry(p);
        CgroupFileType file = CgroupFileType.byName(e.name());
        boolean dot = e.name().equals(".") || e.name().equals("..");
        if (p.equals("/") || e.dir() != null && (dot || file != null && exists(e.dir(), file))) {
            throw new ErrnoException(Errno.EEXIST, "mkdir " + p);
        }
        return cgroups.mkdir(p);
    }

    /** {@code rmdir(2)}: {@code EBUSY} with tasks or children, {@code ENOENT} if absent. */
    public void rmdir(String path) {
        cgroups.rmdir(normalize(path));
    }

    // ---- files -------------------------------------------------------------------------------

    /** {@code open(2)} of a cgroup file: {@code ENOENT} if the cgroup or file does not exist. */
    public CgroupFile open(String path) {
        Entry e = entry(normalize(path));
        MemCgroup cgroup = e.dir();
        CgroupFileType type = CgroupFileType.byName(e.name());
        if (cgroup == null || type == null || !exists(cgroup, type)) {
            throw new ErrnoException(Errno.ENOENT, path);
        }
        return new CgroupFile(this, cgroup, type);
    }

    /** Reads a whole file. */
    public String read(String path) {
        try (CgroupFile f = open(path)) {
            return f.read();
        }
    }

    /**
     * Reads a file holding one number (memory.current, memory.peak, a limit that is set, ...),
     * as printed: bytes for the memory sizes.
     *
     * @throws ErrnoException {@code EINVAL} (what {@code kstrtoll} answers) when the file holds
     *         anything else, notably {@code max} for a limit that is not set: read limits with
     *         {@link #readLimit}
     */
    public long readLong(String path) {
        return parseLong(path, read(path).trim());
    }

    /**
     * Reads a limit or protection file (memory.max, memory.high, memory.low, memory.swap.max,
     * ...).
     *
     * @return the limit in bytes, or empty when the file holds {@code max} (no limit)
     * @throws ErrnoException {@code EINVAL} when the file holds neither a number nor {@code max}
     */
    public OptionalLong readLimit(String path) {
        String text = read(path).trim();
        return text.equals(MAX) ? OptionalLong.empty() : OptionalLong.of(parseLong(path, text));
    }

    private static long parseLong(String path, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ErrnoException(Errno.EINVAL, path + " holds '" + text + "', not a number"
                    + (text.equals(MAX) ? " (readLimit reads a limit)" : ""));
        }
    }

    /**
     * One entry of the cgroup's {@code memory.stat}, as printed: bytes for the memory sizes,
     * counts for the events ({@code stat("/job", "kernel")}).
     *
     * @throws ErrnoException {@code ENOENT} if the cgroup has no memory.stat, or the era's
     *         memory.stat no such key
     */
    public long stat(String cgroup, String key) {
        return keyed(cgroup, CgroupFileType.MEMORY_STAT, key);
    }

    /**
     * One entry of the cgroup's {@code memory.events}: how often it happened in the subtree
     * ({@code event("/job", "oom_kill")}).
     *
     * @throws ErrnoException {@code ENOENT} if the cgroup has no memory.events, or the era's
     *         memory.events no such key
     */
    public long event(String cgroup, String key) {
        return keyed(cgroup, CgroupFileType.MEMORY_EVENTS, key);
    }

    /** The value of {@code key} in a flat-keyed file ({@code key value} lines). */
    private long keyed(String cgroup, CgroupFileType file, String key) {
        String path = normalize(cgroup + "/" + file.fileName());
        for (String line : read(path).split("\n")) {
            int space = line.indexOf(' ');
            if (line.substring(0, space).equals(key)) {
                return Long.parseUnsignedLong(line.substring(space + 1));
            }
        }
        throw new ErrnoException(Errno.ENOENT, path + " has no key '" + key + "'");
    }

    /** Writes {@code text} to a file in one write. */
    public void write(String path, String text) {
        try (CgroupFile f = open(path)) {
            f.write(text);
        }
    }

    /** The file names the directory at {@code path} has, in the kernel's order. */
    public List<String> list(String path) {
        MemCgroup cgroup = tree.lookup(normalize(path));
        if (cgroup == null) {
            throw new ErrnoException(Errno.ENOENT, path);
        }
        List<String> names = new ArrayList<>();
        for (CgroupFileType t : CgroupFileType.values()) {
            if (exists(cgroup, t)) {
                names.add(t.fileName());
            }
        }
        return names;
    }

    private boolean exists(MemCgroup cgroup, CgroupFileType type) {
        if (!layout.has(type) || cgroup.isRoot() && !type.onRoot()
                || type.memory() && !tree.hasMemoryCss(cgroup)) {
            return false;
        }
        return type != CgroupFileType.MEMORY_STAT || !cgroup.isRoot() || layout.statOnRoot();
    }

    /** A directory entry: the online cgroup holding it (null if none) and its name. */
    private record Entry(MemCgroup dir, String name) {
    }

    private Entry entry(String normalized) {
        int slash = normalized.lastIndexOf('/');
        return new Entry(tree.lookup(slash == 0 ? "/" : normalized.substring(0, slash)),
                normalized.substring(slash + 1));
    }

    private static String normalize(String path) {
        String p = path.replaceAll("/+", "/");
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    // ---- reads -------------------------------------------------------------------------------

    String show(CgroupFile f) {
        MemCgroup m = f.cgroup();
        checkLive(m);
        return switch (f.type()) {
            case CGROUP_CONTROLLERS -> mask(m.isRoot() || tree.subtreeMemory(m.parent()));
            case CGROUP_SUBTREE_CONTROL -> mask(tree.subtreeMemory(m));
            case CGROUP_PROCS -> procs(m);
            case CGROUP_EVENTS -> "populated " + (tree.isPopulated(m) ? 1 : 0) + "\n"
                    + (layout.eventsFrozen() ? "frozen 0\n" : "");
            case CGROUP_STAT -> cgroupStat(m);
            case MEMORY_PRESSURE -> Pressure.show();
            case MEMORY_CURRENT -> bytes(m.memory().read()) + "\n";
            case MEMORY_PEAK -> peaks.show(f, m.memory());
            case MEMORY_MIN -> tunable(m.memory().min());
            case MEMORY_LOW -> tunable(m.memory().low());
            case MEMORY_HIGH -> tunable(m.memory().high());
            case MEMORY_MAX -> tunable(m.memory().max());
            case MEMORY_EVENTS -> events(m, layout.events(), true);
            case MEMORY_EVENTS_LOCAL -> events(m, layout.events(), false);
            case MEMORY_STAT -> memoryStat.show(m);
            case MEMORY_NUMA_STAT -> memoryStat.numaStat(m);
            case MEMORY_OOM_GROUP -> m.oomGroup() + "\n";
            case MEMORY_RECLAIM -> throw new ErrnoException(Errno.EACCES, f + " is write-only");
            case MEMORY_SWAP_CURRENT -> bytes(m.swap().read()) + "\n";
            case MEMORY_SWAP_HIGH -> tunable(m.swap().high());
            case MEMORY_SWAP_MAX -> tunable(m.swap().max());
            case MEMORY_SWAP_PEAK -> peaks.show(f, m.swap());
            case MEMORY_SWAP_EVENTS -> events(m, layout.swapEvents(), true);
        };
    }

    /** {@code cgroup_print_ss_mask}: nothing at all for an empty mask. */
    private static String mask(boolean memory) {
        return memory ? "memory\n" : "";
    }

    private static String procs(MemCgroup m) {
        StringBuilder sb = new StringBuilder();
        for (TaskStruct t : m.tasks()) {
            sb.append(t.pid()).append('\n');
        }
        return sb.toString();
    }

    private String cgroupStat(MemCgroup m) {
        StringBuilder sb = new StringBuilder();
        sb.append("nr_descendants ").append(m.nrDescendants()).append('\n');
        if (layout.cgroupStatSubsysCounts()) {
            int[] live = new int[1];
            tree.forEachDescendant(m, d -> live[0] += tree.hasMemoryCss(d) ? 1 : 0);
            sb.append("nr_subsys_memory ").append(tree.hasMemoryCss(m) ? live[0] : 0).append('\n');
        }
        sb.append("nr_dying_descendants ").append(m.nrDyingDescendants()).append('\n');
        if (layout.cgroupStatSubsysCounts()) {
            sb.append("nr_dying_subsys_memory ").append(m.nrDyingDescendants()).append('\n');
        }
        return sb.toString();
    }

    private String events(MemCgroup m, List<MemcgEvent> keys, boolean hierarchical) {
        StringBuilder sb = new StringBuilder();
        for (MemcgEvent e : keys) {
            long n = hierarchical && layout.eventsHierarchical() ? m.events().hierarchical(e) : m.events().local(e);
            sb.append(e.key()).append(' ').append(n).append('\n');
        }
        return sb.toString();
    }

    /** {@code seq_puts_memcg_tunable}. */
    private static String tunable(long pages) {
        return pages == PageCounter.PAGE_COUNTER_MAX ? MAX + "\n" : bytes(pages) + "\n";
    }

    private static long bytes(long pages) {
        return pages * MemMap.PAGE_SIZE;
    }

    // ---- writes ------------------------------------------------------------------------------

    void store(CgroupFile f, String text) {
        CgroupFileType type = f.type();
        if (!type.writable()) {
            throw new ErrnoException(Errno.EACCES, f + " is read-only");
        }
        MemCgroup m = f.cgroup();
        checkLive(m);
        String buf = text.strip();
        switch (type) {
            case CGROUP_SUBTREE_CONTROL -> subtreeControl(m, buf);
            case CGROUP_PROCS -> procsWrite(m, buf);
            case MEMORY_PRESSURE -> layout.pressure().trigger(f, text);
            case MEMORY_PEAK -> peaks.write(f, m.memory());
            case MEMORY_MIN -> m.memory().setMin(pages(buf));
            case MEMORY_LOW -> m.memory().setLow(pages(buf));
            case MEMORY_HIGH -> highWrite(m, pages(buf));
            case MEMORY_MAX -> maxWrite(m, pages(buf));
            case MEMORY_OOM_GROUP -> oomGroupWrite(m, buf);
            case MEMORY_RECLAIM -> reclaim(ReclaimRequest.pages(buf));
            case MEMORY_SWAP_HIGH -> m.swap().setHigh(pages(buf));
            case MEMORY_SWAP_MAX -> m.swap().exchangeMax(pages(buf));
            case MEMORY_SWAP_PEAK -> peaks.write(f, m.swap());
            default -> throw new IllegalStateException("no write handler for " + type);
        }
    }

    private static long pages(String buf) {
        long pages = PageCounter.memparse(buf, MAX);
        if (pages < 0) {
            throw new ErrnoException(Errno.EINVAL, "not a size: '" + buf + "'");
        }
        return pages;
    }

    /** {@code memory_max_write}. */
    private void maxWrite(MemCgroup m, long max) {
        m.memory().exchangeMax(max);
        boolean drained = false;
        while (m.memory().read() > max) {
            if (oom.fatalSignalPending(tasks.current())) {
                break;      // signal_pending: the writer itself was killed
            }
            if (!drained) {
                charger.stock().drainAll(m);
                drained = true;
                continue;
            }
            m.events().raise(MemcgEvent.OOM);
            if (!oom.outOfMemory(m, 0)) {
                break;
            }
        }
    }

    /** {@code memory_high_write}: no reclaim to do, so only the drain. */
    private void highWrite(MemCgroup m, long high) {
        m.memory().setHigh(high);
        if (m.memory().read() > high) {
            charger.stock().drainAll(m);
        }
    }

    private static void oomGroupWrite(MemCgroup m, String buf) {
        int v = Kstrto.kstrtoint(buf);
        if (v != 0 && v != 1) {
            throw new ErrnoException(Errno.EINVAL, "memory.oom.group takes 0 or 1, not " + v);
        }
        m.setOomGroup(v);
    }

    /**
     * {@code memory_reclaim}: the emulator reclaims nothing, so any request for a page or more
     * ends, after the kernel's retries, in {@code EAGAIN} ({@code EINTR} for a writer with a
     * fatal signal pending, which the kernel checks first).
     */
    private void reclaim(long pages) {
        if (pages == 0) {
            return;
        }
        if (oom.fatalSignalPending(tasks.current())) {
            throw new ErrnoException(Errno.EINTR, "memory.reclaim interrupted");
        }
        throw new ErrnoException(Errno.EAGAIN, "memory.reclaim: reclaimed 0 of " + pages
                + " pages (nothing is reclaimable in the emulator)");
    }

    /** {@code release} of a peak file. */
    void released(CgroupFile f) {
        if (f.type() == CgroupFileType.MEMORY_PEAK) {
            peaks.release(f, f.cgroup().memory());
        } else if (f.type() == CgroupFileType.MEMORY_SWAP_PEAK) {
            peaks.release(f, f.cgroup().swap());
        }
    }

    /** {@code cgroup_subtree_control_write}, for the one controller there is. */
    private void subtreeControl(MemCgroup m, String buf) {
        Boolean enable = null;
        for (String tok : buf.split(" ")) {
            if (tok.isEmpty()) {
                continue;
            }
            if (!tok.substring(1).equals("memory") || tok.charAt(0) != '+' && tok.charAt(0) != '-') {
                throw new ErrnoException(Errno.EINVAL, "bad token '" + tok + "'");
            }
            enable = tok.charAt(0) == '+';
        }
        if (enable == null) {
            return;
        }
        int ret = tree.setSubtreeMemory(m, enable);
        if (ret != 0) {
            throw new ErrnoException(Errno.fromNegative(ret), "cgroup.subtree_control of " + m.path());
        }
    }

    /** {@code __cgroup_procs_write}: a pid (0 = the writer) moves into this cgroup. */
    private void procsWrite(MemCgroup m, String buf) {
        int pid;
        try {
            pid = Kstrto.kstrtoint(buf);
        } catch (ErrnoException e) {
            throw new ErrnoException(Errno.EINVAL, "not a pid: '" + buf + "'");
        }
        if (pid < 0) {
            throw new ErrnoException(Errno.EINVAL, "negative pid " + pid);
        }
        TaskStruct task = pid == 0 ? tasks.current() : tree.findTask(pid);
        if (task == null) {
            throw new ErrnoException(Errno.ESRCH, "no task " + pid);
        }
        cgroups.attach(task, m);
    }

    private static void checkLive(MemCgroup m) {
        if (!m.isOnline()) {
            throw new ErrnoException(Errno.ENODEV, m + " was removed");
        }
    }
}
