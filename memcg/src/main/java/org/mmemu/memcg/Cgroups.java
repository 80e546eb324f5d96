package org.mmemu.memcg;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.Set;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.kmem.KmemStaticKey;

/**
 * Creating and removing memory cgroups with the controller's callbacks, as
 * {@code cgroup_mkdir}/{@code cgroup_rmdir} drive {@code memory_cgrp_subsys}:
 * <ol>
 *   <li>mkdir: link the node ({@link CgroupTree}), then {@code css_online}: kmem accounting
 *       comes online (the cgroup's obj_cgroup, its kmemcg id, the kmem static key), then the
 *       {@link MemcgLifecycle} listeners are told;</li>
 *   <li>rmdir: refuse with {@code EBUSY} while tasks or children remain, then
 *       {@code css_offline}: reparent the obj_cgroups, tell the {@link MemcgLifecycle}
 *       listeners, hand the kmemcg id down to the parent's, drain every CPU's stock of the cgroup,
 *       drop the base reference. Whatever still holds references (kmem pages before the
 *       objcg era, stocks, dying children) keeps the cgroup DYING until the last one goes.</li>
 * </ol>
 * Errors are the errno the syscall would return, thrown as {@link ErrnoException}.
 */
public final class Cgroups {
    private final CgroupTree tree;
    private final ObjCgroups objcgs;
    private final ChargeStock stock;
    private final KmemStaticKey kmemKey;
    private final boolean kmemAccounting;
    private final Provider<Set<MemcgLifecycle>> lifecycle;

    @Inject
    public Cgroups(CgroupTree tree, ObjCgroups objcgs, MemcgCharger charger, KmemStaticKey kmemKey,
                   MemcgConfig config, Provider<Set<MemcgLifecycle>> lifecycle) {
        this.tree = tree;
        this.lifecycle = lifecycle;
        this.objcgs = objcgs;
        this.stock = charger.stock();
        this.kmemKey = kmemKey;
        this.kmemAccounting = config.kmemAccounting();
    }

    /** The hierarchy. */
    public CgroupTree tree() {
        return tree;
    }

    /** {@code root_mem_cgroup}. */
    public MemCgroup root() {
        return tree.root();
    }

    /** mkdir of {@code name} under {@code parent}. */
    public MemCgroup mkdir(MemCgroup parent, String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\n') >= 0 || name.equals(".")
                || name.equals("..")) {
            throw new ErrnoException(Errno.EINVAL, "bad cgroup name '" + name + "'");
        }
        Errno[] errno = new Errno[1];
        MemCgroup memcg = tree.create(parent, name, errno);
        if (memcg == null) {
            throw new ErrnoException(errno[0], "mkdir " + parent.entryPath(name));
        }
        if (kmemAccounting) {
            objcgs.online(memcg);
            tree.onlineKmem(memcg);
            kmemKey.memcgOnline();
        }
        for (MemcgLifecycle l : lifecycle.get()) {
            l.online(memcg);
        }
        return memcg;
    }

    /** mkdir of an absolute path ("/a/b"): the parent must exist. */
    public MemCgroup mkdir(String path) {
        int slash = path.lastIndexOf('/');
        MemCgroup parent = slash <= 0 ? tree.root() : tree.lookup(path.substring(0, slash));
        if (parent == null) {
            throw new ErrnoException(Errno.ENOENT, "mkdir " + path);
        }
        return mkdir(parent, path.substring(slash + 1));
    }

    /** rmdir: {@code EBUSY} with tasks or live children, {@code ENOENT} if already removed. */
    public void rmdir(MemCgroup memcg) {
        ObjCgroup objcg;
        synchronized (tree.mutex()) {
            int ret = tree.unlink(memcg);
            if (ret != 0) {
                throw new ErrnoException(Errno.fromNegative(ret), "rmdir " + memcg.path());
            }
            // css_offline: memcg_offline_kmem reparents the objcgs; the kernel offlines a
            // parent only after its children, so the move is made with the unlink.
            objcg = objcgs.reparentLocked(memcg);
        }
        if (objcg != null) {
            objcg.kill();
        }
        for (MemcgLifecycle l : lifecycle.get()) {
            l.offline(memcg);
        }
        // memcg_offline_kmem: the listeners deactivated the clones at the old kmemcg id.
        tree.offlineKmem(memcg);
        stock.drainAll(memcg);
        memcg.cssKill();
    }

    /** rmdir of an absolute path. */
    public void rmdir(String path) {
        MemCgroup memcg = tree.lookup(path);
        if (memcg == null) {
            throw new ErrnoException(Errno.ENOENT, "rmdir " + path);
        }
        rmdir(memcg);
    }

    /** Writing a pid to {@code cgroup.procs}: moves the task. */
    public void attach(TaskStruct task, MemCgroup memcg) {
        int ret = tree.attach(task, memcg);
        if (ret != 0) {
            throw new ErrnoException(Errno.fromNegative(ret), "attach " + task + " to " + memcg.path());
        }
    }
}
