package org.mmemu.memcg;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.mmemu.core.Errno;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.stat.MemcgStats;

/**
 * The memory cgroup hierarchy (the memory part of kernel/cgroup/cgroup.c): the root, creation
 * and unlinking of directories, memcg ids, task membership and the release of removed cgroups
 * once their last css reference is gone. Everything structural happens under one lock, the
 * {@code cgroup_mutex}; charge paths never take it.
 *
 * <p>Creating and removing cgroups with their controller callbacks (objcg allocation, stock
 * draining, reparenting) is {@link Cgroups}'s job; this class only keeps the tree consistent.
 */
public final class CgroupTree {
    /** {@code MEM_CGROUP_ID_MAX}. */
    public static final int MEM_CGROUP_ID_MAX = 0xffff;

    private final Object mutex = new Object();
    private final KernelObjects objects;
    private final Cpus cpus;
    private final MemCgroup root;
    private final BitSet ids = new BitSet();
    /** {@code memcg_cache_ida}: the kmemcg ids in use. */
    private final BitSet cacheIds = new BitSet();
    /** {@code css_serial_nr_next}. */
    private long serialNrNext = 1;

    private final Provider<Set<MemcgLifecycle>> lifecycle;

    @Inject
    public CgroupTree(KernelObjects objects, Cpus cpus, Provider<Set<MemcgLifecycle>> lifecycle) {
        this.objects = objects;
        this.lifecycle = lifecycle;
        this.cpus = cpus;
        this.root = new MemCgroup(this, null, "", new MemcgStats(cpus), serialNrNext++);
        synchronized (mutex) {
            register(root);
            // The memory controller enabled at the root, as an init system leaves it.
            root.setSubtreeMemoryLocked(true);
        }
    }

    /** {@code root_mem_cgroup}. */
    public MemCgroup root() {
        return root;
    }

    Object mutex() {
        return mutex;
    }

    /** The machine's CPUs, whose per-CPU counts the css references use. */
    Cpus cpus() {
        return cpus;
    }

    /**
     * Links a new child under {@code parent} ({@code cgroup_mkdir} up to css_alloc): it gets an
     * id and an address and takes a reference on its parent.
     *
     * @return the child, or null with {@code errno[0]} set: {@code EEXIST} for a taken name,
     *         {@code ENOENT} for a removed parent, {@code ENOSPC} when ids ran out
     */
    MemCgroup create(MemCgroup parent, String name, Errno[] errno) {
        synchronized (mutex) {
            if (!parent.isOnline()) {
                errno[0] = Errno.ENOENT;
                return null;
            }
            if (childLocked(parent, name) != null) {
                errno[0] = Errno.EEXIST;
                return null;
            }
            if (ids.nextClearBit(1) > MEM_CGROUP_ID_MAX) {
                errno[0] = Errno.ENOSPC;
                return null;
            }
            MemCgroup child = new MemCgroup(this, parent, name, new MemcgStats(cpus), serialNrNext++);
            parent.cssGet(1);
            register(child);
            parent.childrenLocked().put(name, child);
            for (MemCgroup a = parent; a != null; a = a.parent()) {
                a.addDescendantsLocked(1, 0);
            }
            return child;
        }
    }

    private void register(MemCgroup memcg) {
        int id = ids.nextClearBit(1);
        ids.set(id);
        memcg.setId(id);
        memcg.setAddress(objects.register(memcg));
    }

    /**
     * Unlinks {@code memcg} for {@code cgroup_rmdir}: refused with {@code EBUSY} while tasks or
     * live children remain. On success the cgroup is DYING, its id is freed and it still holds
     * its base reference, which the caller drops once the controller's offline work is done.
     *
     * @return 0 or a negative errno
     */
    int unlink(MemCgroup memcg) {
        synchronized (mutex) {
            if (memcg.isRoot()) {
                return Errno.EBUSY.negative();
            }
            if (!memcg.isOnline()) {
                return Errno.ENOENT.negative();
            }
            if (!memcg.tasksLocked().isEmpty() || !memcg.childrenLocked().isEmpty()) {
                return Errno.EBUSY.negative();
            }
            MemCgroup parent = memcg.parent();
            parent.childrenLocked().remove(memcg.name());
            parent.dyingChildrenLocked().add(memcg);
            for (MemCgroup a = parent; a != null; a = a.parent()) {
                a.addDescendantsLocked(-1, 1);
            }
            memcg.setState(MemCgroup.State.DYING);
            // mem_cgroup_id_remove: the id is recycled at offline, the address only at release.
            ids.clear(memcg.id());
            memcg.setId(0);
            return 0;
        }
    }

    /** {@code memcg_online_kmem}: {@code memcg} takes the lowest free kmemcg id. */
    void onlineKmem(MemCgroup memcg) {
        synchronized (mutex) {
            int id = cacheIds.nextClearBit(0);
            cacheIds.set(id);
            memcg.setKmemcgId(id);
        }
    }

    /**
     * {@code memcg_offline_kmem}'s second half: {@code memcg} and every dying descendant that
     * shares its kmemcg id take the parent's, and the id is freed for a new cgroup.
     */
    void offlineKmem(MemCgroup memcg) {
        synchronized (mutex) {
            int id = memcg.kmemcgId();
            if (id < 0) {
                return;
            }
            int parentId = memcg.parent().kmemcgId();
            List<MemCgroup> subtree = new ArrayList<>();
            collect(memcg, subtree, true);
            for (MemCgroup m : subtree) {
                if (m.kmemcgId() == id) {
                    m.setKmemcgId(parentId);
                }
            }
            cacheIds.clear(id);
        }
    }

    /** css_free: the last reference of a dying cgroup is gone; listeners hear it first. */
    void release(MemCgroup memcg) {
        for (MemcgLifecycle l : lifecycle.get()) {
            l.released(memcg);
        }
        MemCgroup parent;
        synchronized (mutex) {
            if (memcg.state() != MemCgroup.State.DYING) {
                throw new org.mmemu.core.KernelBug("releasing " + memcg + " that was never removed");
            }
            memcg.setState(MemCgroup.State.RELEASED);
            parent = memcg.parent();
            parent.dyingChildrenLocked().remove(memcg);
            for (MemCgroup a = parent; a != null; a = a.parent()) {
                a.addDescendantsLocked(0, -1);
            }
            parent.stats().absorb(memcg.stats());
            objects.free(memcg.address());
        }
        parent.cssPut(1);
    }

    // ---- lookup ------------------------------------------------------------------------------

    /** The online child called {@code name}, or null. */
    public MemCgroup child(MemCgroup parent, String name) {
        synchronized (mutex) {
            return childLocked(parent, name);
        }
    }

    private static MemCgroup childLocked(MemCgroup parent, String name) {
        return parent.childrenLocked().get(name);
    }

    /** The online cgroup at {@code path} ("/" or "/a/b"), or null. */
    public MemCgroup lookup(String path) {
        synchronized (mutex) {
            MemCgroup m = root;
            for (String part : path.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                m = childLocked(m, part);
                if (m == null) {
                    return null;
                }
            }
            return m;
        }
    }

    /** Calls {@code action} on {@code top} and every online descendant, parents first. */
    public void forEachDescendant(MemCgroup top, Consumer<MemCgroup> action) {
        List<MemCgroup> order = new ArrayList<>();
        synchronized (mutex) {
            collect(top, order, false);
        }
        order.forEach(action);
    }

    /** Like {@link #forEachDescendant} but including removed (dying) descendants. */
    public void forEachDescendantWithDying(MemCgroup top, Consumer<MemCgroup> action) {
        List<MemCgroup> order = new ArrayList<>();
        synchronized (mutex) {
            collect(top, order, true);
        }
        order.forEach(action);
    }

    private static void collect(MemCgroup m, List<MemCgroup> out, boolean dying) {
        out.add(m);
        for (MemCgroup c : m.childrenLocked().values()) {
            collect(c, out, dying);
        }
        if (dying) {
            for (MemCgroup c : m.dyingChildrenLocked()) {
                collect(c, out, true);
            }
        }
    }

    // ---- tasks -------------------------------------------------------------------------------

    /**
     * {@code mem_cgroup_from_task}: the memory css of the task's cgroup, which is the cgroup
     * itself or, where the memory controller is not enabled, its nearest ancestor that has one
     * (the root if the task never joined a cgroup).
     */
    public MemCgroup memcgOf(TaskStruct task) {
        return memcgOf(TaskMemcg.peek(task));
    }

    /** {@link #memcgOf(TaskStruct)} from the task's record, null if it has none. */
    MemCgroup memcgOf(TaskMemcg t) {
        MemCgroup m = t == null ? root : t.cgroup;
        while (!hasMemoryCss(m)) {
            m = m.parent();
        }
        return m;
    }

    /** The cgroup the task is in, whatever its controllers ({@code task_dfl_cgroup}). */
    public MemCgroup cgroupOf(TaskStruct task) {
        TaskMemcg t = TaskMemcg.peek(task);
        return t == null ? root : t.cgroup;
    }

    /** Whether the cgroup has a memory css: the root, or a child of a cgroup whose
     *  {@code cgroup.subtree_control} enables memory. */
    public boolean hasMemoryCss(MemCgroup memcg) {
        MemCgroup parent = memcg.parent();
        return parent == null || parent.subtreeMemory();
    }

    /** Whether {@code cgroup.subtree_control} of {@code memcg} enables memory. */
    public boolean subtreeMemory(MemCgroup memcg) {
        return memcg.subtreeMemory();
    }

    /**
     * {@code cgroup_subtree_control_write} for the memory controller: enabling needs the
     * controller in the cgroup's own {@code cgroup.controllers} ({@code ENOENT}) and, below the
     * root, no tasks in the cgroup ({@code EBUSY}: no internal processes); disabling is refused
     * while a child still enables it below itself ({@code EBUSY}).
     *
     * @return 0 or a negative errno
     */
    public int setSubtreeMemory(MemCgroup memcg, boolean enable) {
        synchronized (mutex) {
            if (memcg.state() != MemCgroup.State.ONLINE) {
                return Errno.ENODEV.negative();
            }
            if (enable) {
                if (memcg.subtreeMemory()) {
                    return 0;
                }
                if (memcg.parent() != null && !memcg.parent().subtreeMemory()) {
                    return Errno.ENOENT.negative();
                }
                if (memcg.parent() != null && !memcg.tasksLocked().isEmpty()) {
                    return Errno.EBUSY.negative();
                }
            } else {
                if (!memcg.subtreeMemory()) {
                    return 0;
                }
                for (MemCgroup c : memcg.childrenLocked().values()) {
                    if (c.subtreeMemory()) {
                        return Errno.EBUSY.negative();
                    }
                }
            }
            memcg.setSubtreeMemoryLocked(enable);
            // The tasks below move between memory csses: mem_cgroup_kmem_attach for each.
            for (MemCgroup c : memcg.childrenLocked().values()) {
                markObjcgUpdateLocked(c);
            }
            return 0;
        }
    }

    private static void markObjcgUpdateLocked(MemCgroup m) {
        for (TaskStruct task : m.tasksLocked()) {
            TaskMemcg t = TaskMemcg.peek(task);
            if (t != null) {
                t.objcgUpdate = true;
            }
        }
        for (MemCgroup c : m.childrenLocked().values()) {
            markObjcgUpdateLocked(c);
        }
    }

    /** The task with this pid among the tasks in any cgroup, or null ({@code find_task_by_vpid}). */
    public TaskStruct findTask(int pid) {
        synchronized (mutex) {
            return findTaskLocked(root, pid);
        }
    }

    private static TaskStruct findTaskLocked(MemCgroup m, int pid) {
        for (TaskStruct t : m.tasksLocked()) {
            if (t.pid() == pid) {
                return t;
            }
        }
        for (MemCgroup c : m.childrenLocked().values()) {
            TaskStruct t = findTaskLocked(c, pid);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /**
     * {@code cgroup_attach_task}: moves {@code task} into {@code memcg} (charges stay where they
     * were made, as in cgroup v2). A task that has begun to exit ({@link TaskStruct#PF_EXITING},
     * set before its exit takes it out of its cgroup) is left alone and the move still succeeds,
     * as {@code cgroup_migrate_add_task} skips it: moved in after that exit, it would stay listed
     * in the cgroup for ever, and keep it from being removed.
     *
     * @return 0, {@code -ENOENT} if the cgroup was removed, {@code -EBUSY} if it enables
     *         memory for its children (the no-internal-process rule)
     */
    public int attach(TaskStruct task, MemCgroup memcg) {
        synchronized (mutex) {
            if (!memcg.isOnline()) {
                return Errno.ENOENT.negative();
            }
            // cgroup_migrate_vet_dst: no tasks where controllers are enabled for children.
            if (memcg.parent() != null && memcg.subtreeMemory()) {
                return Errno.EBUSY.negative();
            }
            if (task.hasFlag(TaskStruct.PF_EXITING)) {
                return 0;
            }
            TaskMemcg t = TaskMemcg.of(task, root);
            t.cgroup.tasksLocked().remove(task);
            t.cgroup = memcg;
            memcg.tasksLocked().add(task);
            // mem_cgroup_kmem_attach; a task attached again after exit charges again
            t.exited = false;
            t.objcgUpdate = true;
            return 0;
        }
    }

    /**
     * {@code cgroup_exit}: the task leaves its cgroup for good (it no longer counts anywhere),
     * and {@code mem_cgroup_exit} drops its obj_cgroup reference.
     */
    public void exit(TaskStruct task) {
        ObjCgroup objcg = null;
        synchronized (mutex) {
            TaskMemcg t = TaskMemcg.peek(task);
            if (t != null) {
                t.cgroup.tasksLocked().remove(task);
                t.cgroup = root;
                root.tasksLocked().remove(task);
                t.exited = true;
                objcg = t.takeObjcg();
            }
        }
        if (objcg != null) {
            // Outside the mutex: the last reference releases the objcg, which uncharges.
            objcg.put();
        }
    }

    /** {@code cgroup_is_populated}: a task in this cgroup or any live descendant. */
    public boolean isPopulated(MemCgroup memcg) {
        synchronized (mutex) {
            return populatedLocked(memcg);
        }
    }

    private static boolean populatedLocked(MemCgroup m) {
        if (!m.tasksLocked().isEmpty()) {
            return true;
        }
        for (MemCgroup c : m.childrenLocked().values()) {
            if (populatedLocked(c)) {
                return true;
            }
        }
        return false;
    }
}
