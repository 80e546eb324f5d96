package org.mmemu.memcg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.PercpuRef;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.stat.MemcgEvents;
import org.mmemu.memcg.stat.MemcgStats;

/**
 * {@code struct mem_cgroup} with its cgroup directory: one node of the memory cgroup tree.
 *
 * <p>It owns the {@code memory} page counter (and the cgroup-v1 {@code kmem} counter, which only
 * the helper era charges), its per-cgroup statistics and events, and the css reference count
 * that decides when a removed cgroup is finally released:
 *
 * <pre>
 *   mkdir ──► ONLINE ──rmdir──► DYING ──last css_put──► RELEASED (address freed)
 *             base ref           base ref dropped;     nr_dying_descendants of every
 *             held               pages/stocks/children  ancestor drops
 *                                still hold refs
 * </pre>
 *
 * <p>Every {@code MemCgroup} has an emulated kernel address (64-byte aligned, from
 * {@link org.mmemu.core.addr.KernelObjects}), which is what {@code memcg_data} stores; once the
 * cgroup is released, decoding that address is a use-after-free report.
 *
 * <p>Structural state (children, tasks, state) is guarded by the tree's {@code cgroup_mutex},
 * the {@link CgroupTree}'s lock; counters are atomics read without it and the css reference a
 * {@link PercpuRef}, which costs a live cgroup's users no atomic instruction.
 */
public final class MemCgroup {
    /** Lifecycle of the css. */
    public enum State {
        /** Created and not removed. */
        ONLINE,
        /** Removed (offline), still referenced by pages, stocks, objcgs or children. */
        DYING,
        /** Freed: its address is a use-after-free. */
        RELEASED
    }

    private final CgroupTree tree;
    private final MemCgroup parent;
    private final String name;
    private final int level;
    private final PageCounter memory;
    private final PageCounter kmem;
    private final PageCounter swap;
    private final MemcgStats stats;
    private final MemcgEvents events;
    private final PercpuRef css;
    private final Map<String, MemCgroup> children = new LinkedHashMap<>();
    private final Set<TaskStruct> tasks = new LinkedHashSet<>();
    private final List<MemCgroup> dyingChildren = new ArrayList<>();
    private final List<ObjCgroup> objcgList = new ArrayList<>();
    private volatile State state = State.ONLINE;
    private volatile int id;
    /** {@code memcg->kmemcg_id}: -1 for the root and before kmem is online. */
    private volatile int kmemcgId = -1;
    private final long serialNr;
    private volatile long address;
    private volatile ObjCgroup objcg;
    private volatile int oomGroup;
    private volatile boolean subtreeMemory;
    private int nrDescendants;
    private int nrDyingDescendants;

    MemCgroup(CgroupTree tree, MemCgroup parent, String name, MemcgStats stats, long serialNr) {
        this.tree = tree;
        this.serialNr = serialNr;
        this.parent = parent;
        this.name = name;
        this.level = parent == null ? 0 : parent.level + 1;
        this.memory = new PageCounter(parent == null ? null : parent.memory);
        this.kmem = new PageCounter(parent == null ? null : parent.kmem);
        this.swap = new PageCounter(parent == null ? null : parent.swap);
        this.stats = stats;
        this.events = new MemcgEvents(parent == null ? null : parent.events);
        this.css = new PercpuRef(tree.cpus(), "css", this, () -> tree.release(this));
    }

    /** {@code parent_mem_cgroup}: null for the root. */
    public MemCgroup parent() {
        return parent;
    }

    /** {@code mem_cgroup_is_root}. */
    public boolean isRoot() {
        return parent == null;
    }

    /** The directory name ("" for the root). */
    public String name() {
        return name;
    }

    /** The path from the cgroup root, "/" for the root ({@code cgroup_path}). */
    public String path() {
        return parent == null ? "/" : parent.entryPath(name);
    }

    /** The path of the entry (a child or a file) called {@code entry} in this directory. */
    public String entryPath(String entry) {
        return parent == null ? "/" + entry : path() + "/" + entry;
    }

    /** Depth below the root (0 for the root). */
    public int level() {
        return level;
    }

    /** {@code mem_cgroup_id}: 0 once the cgroup is offline (its id was removed). */
    public int id() {
        return id;
    }

    void setId(int id) {
        this.id = id;
    }

    /**
     * {@code memcg->kmemcg_id}: the cgroup's index in every root slab cache's array of
     * per-cgroup clones ({@code memcg_cache_id}), given at mkdir ({@code memcg_online_kmem});
     * at rmdir the cgroup and its dying descendants take their parent's ({@code -1} for the
     * root), so their allocations go to the parent's clones. {@code -1}: no clones.
     */
    public int kmemcgId() {
        return kmemcgId;
    }

    void setKmemcgId(int kmemcgId) {
        this.kmemcgId = kmemcgId;
    }

    /**
     * {@code css->serial_nr}: the cgroup's creation number, never reused (the root's is 1), as
     * the clones' names show it.
     */
    public long serialNr() {
        return serialNr;
    }

    /** The emulated kernel address of this {@code struct mem_cgroup}. */
    public long address() {
        return address;
    }

    void setAddress(long address) {
        this.address = address;
    }

    /** {@code memcg->memory}: what memory.current reports. */
    public PageCounter memory() {
        return memory;
    }

    /** {@code memcg->kmem}: the cgroup-v1 kernel-memory counter (charged by the helper era). */
    public PageCounter kmem() {
        return kmem;
    }

    /**
     * {@code memcg->swap}: the cgroup-v2 swap counter (memory.swap.*). Nothing swaps out in the
     * emulator, so its usage stays 0; its limits are stored.
     */
    public PageCounter swap() {
        return swap;
    }

    /** Per-cgroup statistics (memory.stat). */
    public MemcgStats stats() {
        return stats;
    }

    /** {@code memory.events} and {@code memory.events.local}. */
    public MemcgEvents events() {
        return events;
    }

    public State state() {
        return state;
    }

    void setState(State state) {
        this.state = state;
    }

    /** {@code css_is_dying}/online test: true until rmdir. */
    public boolean isOnline() {
        return state == State.ONLINE;
    }

    /** {@code memcg->objcg}: the current obj_cgroup, null before kmem is online and after rmdir. */
    public ObjCgroup objcg() {
        return objcg;
    }

    void setObjcg(ObjCgroup objcg) {
        this.objcg = objcg;
    }

    /** {@code memcg->objcg_list}: objcgs reparented to this cgroup (guarded by objcg_lock). */
    List<ObjCgroup> objcgListLocked() {
        return objcgList;
    }

    /** {@code memory.oom.group}. */
    public int oomGroup() {
        return oomGroup;
    }

    public void setOomGroup(int value) {
        oomGroup = value;
    }

    /** {@code mem_cgroup_is_descendant(this, ancestor)}: true also when equal. */
    public boolean isDescendantOf(MemCgroup ancestor) {
        for (MemCgroup m = this; m != null; m = m.parent) {
            if (m == ancestor) {
                return true;
            }
        }
        return false;
    }

    // ---- css references --------------------------------------------------------------------

    /**
     * The css reference count, the base reference included while online: per-CPU counts summed
     * without stopping the CPUs, so exact only at quiescence.
     */
    public long cssRefs() {
        return css.count();
    }

    /** {@code css_get_many}: taking a reference on a released css is a use-after-free. */
    public void cssGet(long n) {
        css.get(n);
    }

    /** {@link #cssGet(long)} on {@code cpu}, the calling thread's CPU. */
    public void cssGet(Cpu cpu, long n) {
        css.get(cpu, n);
    }

    /** {@code css_tryget}: a reference unless the css is already released. */
    public boolean cssTryGet() {
        return css.tryGet();
    }

    /** {@link #cssTryGet()} on {@code cpu}, the calling thread's CPU. */
    public boolean cssTryGet(Cpu cpu) {
        return css.tryGet(cpu);
    }

    /**
     * {@code css_put_many}: the last reference of a removed cgroup releases it (its address is
     * freed and its parent's reference dropped in turn).
     */
    public void cssPut(long n) {
        css.put(n);
    }

    /** {@link #cssPut(long)} on {@code cpu}, the calling thread's CPU. */
    public void cssPut(Cpu cpu, long n) {
        css.put(cpu, n);
    }

    /**
     * {@code kill_css} at rmdir: drops the base reference; the cgroup is released once every
     * other reference is gone too (see {@link PercpuRef#kill()}).
     */
    void cssKill() {
        css.kill();
    }

    // ---- structure (guarded by the CgroupTree lock) ---------------------------------------

    /** Online children by name, in creation order. */
    Map<String, MemCgroup> childrenLocked() {
        return children;
    }

    Set<TaskStruct> tasksLocked() {
        return tasks;
    }

    List<MemCgroup> dyingChildrenLocked() {
        return dyingChildren;
    }

    /** An unmodifiable snapshot of the online children. */
    public List<MemCgroup> children() {
        synchronized (cgroupMutex()) {
            return List.copyOf(children.values());
        }
    }

    /** The tasks in this cgroup itself (not its descendants), as cgroup.procs lists them. */
    public List<TaskStruct> tasks() {
        synchronized (cgroupMutex()) {
            return List.copyOf(tasks);
        }
    }

    /** Whether cgroup.subtree_control enables memory (read without the lock: charge paths). */
    boolean subtreeMemory() {
        return subtreeMemory;
    }

    /** Changed only under the cgroup mutex. */
    void setSubtreeMemoryLocked(boolean on) {
        subtreeMemory = on;
    }

    /** {@code cgroup.stat nr_descendants}: live descendants. */
    public int nrDescendants() {
        synchronized (cgroupMutex()) {
            return nrDescendants;
        }
    }

    /** {@code cgroup.stat nr_dying_descendants}: removed descendants not yet released. */
    public int nrDyingDescendants() {
        synchronized (cgroupMutex()) {
            return nrDyingDescendants;
        }
    }

    void addDescendantsLocked(int live, int dying) {
        nrDescendants += live;
        nrDyingDescendants += dying;
    }

    /** The tree's {@code cgroup_mutex}. */
    private Object cgroupMutex() {
        return tree.mutex();
    }

    @Override
    public String toString() {
        return "memcg " + path() + (state == State.ONLINE ? "" : " (" + state.name().toLowerCase() + ")");
    }
}
