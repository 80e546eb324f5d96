package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.List;

/**
 * The model's cgroup: where charges made in it are counted, its children, how many tasks it
 * has, its {@code memory.max}. A removed cgroup hands its charges and its obj_cgroups to its
 * parent, as {@code memcg_reparent_objcgs} does and as the hierarchical counters show them: a
 * charge made in it is counted, and uncharged, at its nearest live ancestor from then on.
 */
public final class ModelCgroup {
    final String path;
    final ModelCgroup parent;
    final List<ModelCgroup> children = new ArrayList<>();
    boolean alive = true;
    /** Whether {@code cgroup.subtree_control} enables memory: then it takes no tasks. */
    boolean subtreeMemory;
    int tasks;
    long maxBytes = Long.MAX_VALUE;
    /** Bytes charged here and not yet uncharged, those of removed descendants included. */
    long ownBytes;
    /** obj_cgroups whose charges land here: its own and those reparented to it (from 5.9). */
    int objcgs = 1;

    /** A cgroup made at {@code path} under {@code parent} (null for the root). */
    public ModelCgroup(String path, ModelCgroup parent) {
        this.path = path;
        this.parent = parent;
    }

    /** The cgroup's path, "/a/b". */
    public String path() {
        return path;
    }

    /** mkdir of a child at {@code childPath}. */
    public ModelCgroup mkdir(String childPath) {
        ModelCgroup c = new ModelCgroup(childPath, this);
        children.add(c);
        return c;
    }

    /** A charge of {@code bytes} made in this cgroup, counted where it is counted now. */
    public void charge(long bytes) {
        effective().ownBytes += bytes;
    }

    /** Forgets the charges counted here, before they are counted again. */
    public void clearCharges() {
        ownBytes = 0;
    }

    /** Where a charge made in this cgroup is counted now: itself, or its nearest live ancestor. */
    public ModelCgroup effective() {
        ModelCgroup g = this;
        while (!g.alive) {
            g = g.parent;
        }
        return g;
    }

    /** What {@code memory.current} counts: this cgroup's charges and its live children's. */
    public long subtreeBytes() {
        long sum = ownBytes;
        for (ModelCgroup c : children) {
            sum += c.subtreeBytes();
        }
        return sum;
    }

    /** The obj_cgroups charged in this subtree: each may keep less than a page of bytes precharged. */
    public int subtreeObjcgs() {
        int sum = objcgs;
        for (ModelCgroup c : children) {
            sum += c.subtreeObjcgs();
        }
        return sum;
    }

    /** rmdir: the charges and obj_cgroups move to the parent. */
    public void remove() {
        alive = false;
        parent.children.remove(this);
        parent.ownBytes += ownBytes;
        parent.objcgs += objcgs;
        ownBytes = 0;
        objcgs = 0;
    }

    @Override
    public String toString() {
        return path;
    }
}
