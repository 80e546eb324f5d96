package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmemu.core.page.MemMap;
import org.mmemu.it.fixture.ChargedPages;

/**
 * What each cgroup should be charged, and which pages should be held, beside the emulator: the
 * live cgroups, tasks, pipes, socketpairs, the walk's kernel pages and kmalloc objects, each charge counted
 * where the kernel counts it ({@link ModelCgroup#effective()}). Entities are named by the ids
 * the actions gave them, so that a recorded walk replays on a fresh kernel.
 */
final class Model {
    static final long PAGE = MemMap.PAGE_SIZE;

    /** A kernel page the walk charged through {@code alloc_kmem_pages}. */
    record KmemPage(ChargedPages page, ModelCgroup owner) {
    }

    /** A kmalloc object the walk allocated as a task. */
    record SlabObject(long address, ModelCgroup owner, long bytes) {
    }

    final ChargeRules rules;
    final ModelCgroup root = new ModelCgroup("", null);
    /** {@link World#TOP}: the parent of the walk's top-level cgroups, with memory enabled below. */
    final ModelCgroup top = root.mkdir(World.TOP);
    final Map<String, ModelCgroup> cgroups = new LinkedHashMap<>();
    final Map<String, ModelTask> tasks = new LinkedHashMap<>();
    final Map<String, ModelPipe> pipes = new LinkedHashMap<>();
    final Map<String, ModelSocketPair> sockets = new LinkedHashMap<>();
    final Map<String, KmemPage> kmemPages = new LinkedHashMap<>();
    final Map<String, SlabObject> objects = new LinkedHashMap<>();
    /** The BPF maps, their memlock and what waits for a grace period. */
    final ModelBpf bpf = new ModelBpf();
    /** Pages allocated outside the slab that the walk's entities hold: pgds, pipe pages, kernel pages, skb fragments. */
    long heldPages;

    Model(ChargeRules rules) {
        this.rules = rules;
        top.subtreeMemory = true;
    }

    /** The live cgroup at {@code path}, or null. */
    ModelCgroup cgroup(String path) {
        return cgroups.get(path);
    }

    /** The live non-root cgroups, parents before children. */
    List<ModelCgroup> liveCgroups() {
        return new ArrayList<>(cgroups.values());
    }

    void charge(ModelCgroup g, long bytes) {
        if (g != null) {
            g.charge(bytes);
        }
    }

    void uncharge(ModelCgroup g, long bytes) {
        if (g != null) {
            g.effective().ownBytes -= bytes;
        }
    }

    /** A page allocated and charged to {@code owner} (null: not charged). */
    ModelPage allocPage(ModelCgroup owner) {
        heldPages++;
        charge(owner, PAGE);
        return new ModelPage(owner);
    }

    /** {@code put_page}: the last reference frees and uncharges it. */
    void putPage(ModelPage page) {
        if (--page.refs == 0) {
            heldPages--;
            uncharge(page.owner, PAGE);
        }
    }

    /** {@code do_exit}: the mm's pgd freed, the fds closed, the cgroup left. */
    void exit(ModelTask t) {
        tasks.remove(t.id);
        t.cgroup.tasks--;
        putPage(t.pgd);
        for (ModelPipe p : List.copyOf(t.pipes.keySet())) {
            drop(t, p);
        }
        for (ModelSocketPair s : List.copyOf(t.sockets.keySet())) {
            drop(t, s);
        }
        bpf.exit(this, t);
    }

    /** The task closes both ends of {@code s}; the last holder frees the pair. */
    void drop(ModelTask t, ModelSocketPair s) {
        t.sockets.remove(s);
        if (--s.holders == 0) {
            sockets.remove(s.id);
            s.free(this);
        }
    }

    /** The task closes both ends of {@code p}; the last holder frees it. */
    void drop(ModelTask t, ModelPipe p) {
        t.pipes.remove(p);
        if (--p.holders == 0) {
            pipes.remove(p.id);
            p.free(this);
        }
    }

    /**
     * Whether a charge of {@code bytes} in {@code g} may fail: some live ancestor (or {@code g})
     * has a {@code memory.max} that the model's usage, the bytes, and what stocks and obj_cgroups
     * may hold beside (a page each) could exceed.
     */
    boolean mayFail(ModelCgroup g, long bytes, int stockPages) {
        for (ModelCgroup a = g.effective(); a != root && a != top; a = a.parent) {
            long slack = PAGE * (a.subtreeObjcgs() + stockPages);
            if (a.maxBytes != Long.MAX_VALUE && a.subtreeBytes() + bytes + slack > a.maxBytes) {
                return true;
            }
        }
        return false;
    }
}
