package org.mmemu.it.stress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.it.walk.ModelCgroup;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;

/**
 * The cgroups the stress threads share, under {@value #TOP}: mkdir, rmdir, moves and spawns
 * into them go through one lock (as they take {@code cgroup_mutex} in the kernel), so that the
 * model's tree names the cgroup each task is in; charges and uncharges run outside it.
 */
final class SharedCgroups {
    static final String TOP = "/stress";
    private static final String[] PATHS = {TOP + "/a", TOP + "/b", TOP + "/a/x", TOP + "/b/y"};

    private final Kernel k;
    private final ModelCgroup top = new ModelCgroup(TOP, new ModelCgroup("", null));
    private final Map<String, ModelCgroup> live = new LinkedHashMap<>();

    SharedCgroups(Kernel k) {
        this.k = k;
        k.cgroupfs().mkdir(TOP);
        k.cgroupfs().write(TOP + "/cgroup.subtree_control", "+memory");
        for (String p : PATHS) {
            mkdir(p);
        }
    }

    /** A random one of the paths, live or not. */
    static String anyPath(SplittableRandom rnd) {
        return PATHS[rnd.nextInt(PATHS.length)];
    }

    /** mkdir, if the parent is there and the path is not; a path with children below enables memory for them. */
    synchronized void mkdir(String path) {
        String parentPath = path.substring(0, path.lastIndexOf('/'));
        ModelCgroup parent = parentPath.equals(TOP) ? top : live.get(parentPath);
        if (parent == null || live.containsKey(path)) {
            return;
        }
        k.cgroupfs().mkdir(path);
        if (isParent(path)) {
            k.cgroupfs().write(path + "/cgroup.subtree_control", "+memory");
        }
        live.put(path, parent.mkdir(path));
    }

    /** rmdir, refused with EBUSY while tasks or children are in it (then nothing changes). */
    synchronized void rmdir(String path) {
        ModelCgroup g = live.get(path);
        if (g == null) {
            return;
        }
        try {
            k.cgroupfs().rmdir(path);
        } catch (ErrnoException e) {
            expect(e, Errno.EBUSY);
            return;
        }
        live.remove(path);
        g.remove();
    }

    /** A new task in {@code path}, with the cgroup it is in; null if the path is gone or the spawn failed. */
    synchronized Placed spawn(String path) {
        ModelCgroup g = live.get(path);
        if (g == null || isParent(path)) {
            return null;
        }
        try {
            return new Placed(k.spawn(path), g);
        } catch (ErrnoException e) {
            expect(e, Errno.ENOMEM);
            return null;
        }
    }

    /** Moves {@code task} to {@code path}: the cgroup it is in now, or null if it did not move. */
    synchronized ModelCgroup move(Task task, String path) {
        ModelCgroup g = live.get(path);
        if (g == null || isParent(path)) {
            return null;
        }
        try {
            task.moveTo(path);
        } catch (ErrnoException e) {
            expect(e, Errno.ESRCH);
            return null;
        }
        return g;
    }

    /** A write to memory.max of a live cgroup (any value memparse takes). */
    synchronized void setMax(String path, String value) {
        if (live.containsKey(path)) {
            k.cgroupfs().write(path + "/memory.max", value);
        }
    }

    /** A cgroup with children's memory enabled takes no tasks: the paths with children below. */
    private static boolean isParent(String path) {
        for (String p : PATHS) {
            if (p.startsWith(path + "/")) {
                return true;
            }
        }
        return false;
    }

    /** The live cgroups and the walk's top, parents first. */
    synchronized List<ModelCgroup> all() {
        List<ModelCgroup> all = new ArrayList<>();
        all.add(top);
        all.addAll(live.values());
        return all;
    }

    /** Removes every cgroup, deepest first, then the top. */
    synchronized void removeAll() {
        List<String> paths = new ArrayList<>(live.keySet());
        paths.sort(Comparator.comparingInt(String::length).reversed());
        paths.forEach(this::rmdir);
        k.cgroupfs().rmdir(TOP);
    }

    static void expect(ErrnoException e, Errno... allowed) {
        for (Errno a : allowed) {
            if (e.errno() == a) {
                return;
            }
        }
        throw e;
    }

    /** A task and the model's cgroup it was placed in. */
    record Placed(Task task, ModelCgroup cgroup) {
    }
}
