package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.kernel.Kernel;
import org.mmemu.memcg.MemcgCharger;

/**
 * One walk's kernel and model side by side: what the actions act on. It also names the new
 * entities the actions create ("t3", "p1") and knows how much the per-CPU stocks may hold.
 */
final class World {
    /**
     * The cgroup every walk works under, made at its start and removed at its end: a removed
     * cgroup's charges then go to a parent that is no root (a charge reparented to the root is
     * not counted there before the latest era, which MemcgChargeCheck reports).
     */
    static final String TOP = "/walk";
    /** The cgroups a walk uses: few, so that they collide, up to three levels below {@link #TOP}. */
    static final List<String> PATHS = List.of(TOP + "/a", TOP + "/b", TOP + "/a/x", TOP + "/a/y", TOP + "/b/x",
            TOP + "/a/x/z");

    final Kernel k;
    final Model m;
    /** Pages every CPU's stock may hold beside the charges: a batch and a byte stock's page. */
    final int stockPages;
    /** The sizes of the AF_UNIX objects the socket actions make. */
    final SkbCosts skbCosts;
    /** The sizes of the BPF maps' allocations. */
    final BpfCosts bpfCosts;
    /** The shape of the tasks' page tables, which mappings of BPF arrays grow. */
    final PageTableGeometry geometry;
    /** Whether the stocks were drained since the last action that charged: the next check is exact. */
    boolean drained;
    private int nextId;

    World(Kernel k) {
        this.k = k;
        this.m = new Model(ChargeRules.of(k.era()));
        int cpus = k.get(MemoryConfig.class).cpus();
        this.stockPages = cpus * (k.get(MemcgCharger.class).stock().batch() + 1);
        this.skbCosts = new SkbCosts(k);
        this.bpfCosts = new BpfCosts(k);
        this.geometry = k.get(PageTableAllocator.class).geometry();
        k.cgroupfs().mkdir(TOP);
        k.cgroupfs().write(TOP + "/cgroup.subtree_control", "+memory");
    }

    /** A fresh id with {@code prefix}, unique within the walk. */
    String newId(String prefix) {
        return prefix + nextId++;
    }

    /** Runs {@code call} expecting it to fail with {@code errno}, as the model predicts. */
    static void expectErrno(Errno errno, String what, Runnable call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            if (e.errno() != errno) {
                throw new AssertionError(what + ": the model expects " + errno + ", the kernel said " + e.errno(), e);
            }
            return;
        }
        throw new AssertionError(what + ": the model expects " + errno + ", the kernel succeeded");
    }

    /** Fails unless the model agrees that a charge of {@code bytes} in {@code g} may fail. */
    void assertMayFail(ModelCgroup g, long bytes, String what) {
        if (!m.mayFail(g, bytes, stockPages)) {
            throw new AssertionError(what + " failed to charge " + bytes + " bytes in " + g
                    + ", which the model says is far from every memory.max");
        }
    }

    /**
     * The tasks the OOM killer took during the last action, exited in the model too; each must
     * have been in a cgroup under a {@code memory.max}.
     */
    void reapKilled() {
        for (ModelTask t : List.copyOf(m.tasks.values())) {
            if (!t.task.isAlive()) {
                if (!m.mayFail(t.cgroup, Model.PAGE, stockPages)) {
                    throw new AssertionError(t + " died in " + t.cgroup + ", which no memory.max constrains");
                }
                m.exit(t);
            }
        }
    }

    /** A random element of {@code items}, or null if there is none. */
    static <T> T pick(List<T> items, SplittableRandom rnd) {
        return items.isEmpty() ? null : items.get(rnd.nextInt(items.size()));
    }

    /** A random live task, or null. */
    ModelTask anyTask(SplittableRandom rnd) {
        return pick(new ArrayList<>(m.tasks.values()), rnd);
    }

    /** A random live task holding a pipe, or null. */
    ModelTask anyPipeHolder(SplittableRandom rnd) {
        return pick(m.tasks.values().stream().filter(t -> !t.pipes.isEmpty()).toList(), rnd);
    }

    /** A task and a pipe it holds: what a pipe action acts on. */
    record HeldPipe(ModelTask task, ModelPipe pipe) {
        /** The task's read and write fds of the pipe. */
        int[] fds() {
            return task.pipes.get(pipe);
        }
    }

    /** A random pipe held by a random task, or null. */
    HeldPipe anyHeldPipe(SplittableRandom rnd) {
        ModelTask t = anyPipeHolder(rnd);
        return t == null ? null : new HeldPipe(t, pick(List.copyOf(t.pipes.keySet()), rnd));
    }

    /** The task {@code task} with the pipe {@code pipe}, if both live and it holds it; else null. */
    HeldPipe heldPipe(String task, String pipe) {
        ModelTask t = m.tasks.get(task);
        ModelPipe p = m.pipes.get(pipe);
        return t == null || p == null || !t.pipes.containsKey(p) ? null : new HeldPipe(t, p);
    }

    /** A task and a socketpair it holds: what a socket action acts on. */
    record HeldSocket(ModelTask task, ModelSocketPair pair) {
        /** The task's fds of the pair's two ends. */
        int[] fds() {
            return task.sockets.get(pair);
        }
    }

    /** A random socketpair held by a random task, or null. */
    HeldSocket anyHeldSocket(SplittableRandom rnd) {
        ModelTask t = pick(m.tasks.values().stream().filter(x -> !x.sockets.isEmpty()).toList(), rnd);
        return t == null ? null : new HeldSocket(t, pick(List.copyOf(t.sockets.keySet()), rnd));
    }

    /** The task {@code task} with the pair {@code pair}, if both live and it holds it; else null. */
    HeldSocket heldSocket(String task, String pair) {
        ModelTask t = m.tasks.get(task);
        ModelSocketPair s = m.sockets.get(pair);
        return t == null || s == null || !t.sockets.containsKey(s) ? null : new HeldSocket(t, s);
    }

    /** A task and a BPF map it holds: what a map action acts on. */
    record HeldMap(ModelTask task, ModelBpfMap map) {
        /** The task's fd of the map. */
        int fd() {
            return task.maps.get(map);
        }
    }

    /** A random map held by a random task, or null. */
    HeldMap anyHeldMap(SplittableRandom rnd) {
        ModelTask t = pick(m.tasks.values().stream().filter(x -> !x.maps.isEmpty()).toList(), rnd);
        return t == null ? null : new HeldMap(t, pick(List.copyOf(t.maps.keySet()), rnd));
    }

    /** A random map that passes {@code which}, held by a random task, or null. */
    HeldMap anyHeldMap(SplittableRandom rnd, Predicate<ModelBpfMap> which) {
        ModelTask t = pick(m.tasks.values().stream().filter(x -> x.maps.keySet().stream().anyMatch(which)).toList(), rnd);
        return t == null ? null : new HeldMap(t, pick(t.maps.keySet().stream().filter(which).toList(), rnd));
    }

    /** The task {@code task} with the map {@code map}, if both live and it holds it; else null. */
    HeldMap heldMap(String task, String map) {
        ModelTask t = m.tasks.get(task);
        ModelBpfMap b = m.bpf.maps.get(map);
        return t == null || b == null || !t.maps.containsKey(b) ? null : new HeldMap(t, b);
    }

    /** A random path of {@link #PATHS}, live or not. */
    static String anyPath(SplittableRandom rnd) {
        return pick(PATHS, rnd);
    }

    /** A random live cgroup, or null. */
    ModelCgroup anyCgroup(SplittableRandom rnd) {
        return pick(m.liveCgroups(), rnd);
    }
}
