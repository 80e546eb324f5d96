package org.mmemu.kernel.trace;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemCgroup;

/**
 * What a running trace has made, by the names it gave: tasks, fd numbers (and the shapes of the
 * maps behind some), kernel objects (their addresses), memory mappings, and the cgroups it created; with the kernel it runs on and the run's seeded random
 * source. A name whose making failed at run time (a fork that got {@code ENOMEM}) stands for
 * nothing: a task call on it is {@code ESRCH}, an fd is -1 ({@code EBADF}), an object 0, a mapping {@code MAP_FAILED}.
 */
public final class TraceContext {
    private final Kernel kernel;
    private final SplittableRandom random;
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, Integer> fds = new HashMap<>();
    private final Map<String, Long> objects = new HashMap<>();
    private final Map<String, Long> allocated = new LinkedHashMap<>();
    private final Map<String, MemCgroup> cgroups = new TreeMap<>();
    private final Map<String, BpfMapShape> maps = new HashMap<>();
    private final Map<String, Mapping> mappings = new HashMap<>();

    /** A memory mapping the trace made: where, how long; {@link #MAP_FAILED} if mmap failed. */
    public record Mapping(long address, long length) {
    }

    /** {@code MAP_FAILED}, {@code (void *) -1}: what a program whose mmap failed goes on with. */
    public static final long MAP_FAILED = -1;

    TraceContext(Kernel kernel, long seed) {
        this.kernel = kernel;
        this.random = new SplittableRandom(seed);
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The run's random source, seeded by {@code --seed}: drawn from in the trace's order. */
    public SplittableRandom random() {
        return random;
    }

    /** The task named {@code name}. */
    public Task task(String name) {
        Task t = tasks.get(name);
        if (t == null) {
            throw new ErrnoException(Errno.ESRCH, name + " was never made");
        }
        return t;
    }

    public void putTask(String name, Task task) {
        tasks.put(name, task);
    }

    /** Every task made, by name, in the order they were made. */
    public Map<String, Task> tasks() {
        return Collections.unmodifiableMap(tasks);
    }

    /** The fd number named {@code name}, -1 if its making failed. */
    public int fd(String name) {
        return fds.getOrDefault(name, -1);
    }

    public void putFd(String name, int fd) {
        fds.put(name, fd);
    }

    /**
     * The address of the object named {@code name}: 0 if its allocation failed; still its address
     * once freed, so that freeing it again is the double free it is.
     */
    public long object(String name) {
        return objects.getOrDefault(name, 0L);
    }

    /** Records the allocation of the object named {@code name} at {@code address} (0: failed). */
    public void putObject(String name, long address) {
        objects.put(name, address);
        if (address != 0) {
            allocated.put(name, address);
        }
    }

    /** Records that the object named {@code name} was freed. */
    public void freed(String name) {
        allocated.remove(name);
    }

    /**
     * The objects allocated and never freed, by name, in allocation order: with the trace over,
     * nothing refers to them any more, so a {@code kmemleak} scan would report each.
     */
    public Map<String, Long> unfreedObjects() {
        return Collections.unmodifiableMap(allocated);
    }

    /**
     * The shape of the map whose fd is named {@code name} (its key and value sizes), as its
     * {@code bpf-create} gave it; a 4-byte key and 8-byte value if that failed or the fd is no
     * map's, for the kernel to reject.
     */
    public BpfMapShape map(String name) {
        return maps.getOrDefault(name, BpfMapShape.UNKNOWN);
    }

    public void putMap(String name, BpfMapShape shape) {
        maps.put(name, shape);
    }

    /** The mapping named {@code name}: at {@link #MAP_FAILED} if its mmap failed. */
    public Mapping mapping(String name) {
        return mappings.getOrDefault(name, new Mapping(MAP_FAILED, 0));
    }

    public void putMapping(String name, Mapping mapping) {
        mappings.put(name, mapping);
    }

    /** Records a cgroup the trace made (the latest of that path, if it made it again). */
    public void putCgroup(MemCgroup cgroup) {
        cgroups.put(cgroup.path(), cgroup);
    }

    /** The cgroups the trace made, by path in path order, removed ones included. */
    public Map<String, MemCgroup> cgroups() {
        return Collections.unmodifiableMap(cgroups);
    }
}
