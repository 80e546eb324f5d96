package org.mmemu.it.walk;

import org.mmemu.core.Errno;

/**
 * {@code mkdir(2)} of a cgroup: {@code ENOENT} without its parent, {@code EEXIST} if it exists.
 * Below {@link World#TOP}'s children the parent's {@code cgroup.subtree_control} gets {@code +memory} first,
 * so that the child has memory files: refused with {@code EBUSY} while the parent has tasks
 * (no internal processes), and then no mkdir is made.
 */
record Mkdir(String path) implements Action {
    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> new Mkdir(World.anyPath(rnd)));

    @Override
    public void apply(World w) {
        String parentPath = path.substring(0, path.lastIndexOf('/'));
        ModelCgroup parent = parentPath.equals(World.TOP) ? w.m.top : w.m.cgroup(parentPath);
        if (parent == null) {
            World.expectErrno(Errno.ENOENT, toString(), () -> w.k.cgroupfs().mkdir(path));
        } else if (w.m.cgroup(path) != null) {
            World.expectErrno(Errno.EEXIST, toString(), () -> w.k.cgroupfs().mkdir(path));
        } else if (!parent.subtreeMemory && parent.tasks > 0) {
            World.expectErrno(Errno.EBUSY, toString(), () -> enableMemory(w, parent));
        } else {
            if (!parent.subtreeMemory) {
                enableMemory(w, parent);
            }
            w.k.cgroupfs().mkdir(path);
            w.m.cgroups.put(path, parent.mkdir(path));
        }
    }

    private static void enableMemory(World w, ModelCgroup parent) {
        w.k.cgroupfs().write(parent.path + "/cgroup.subtree_control", "+memory");
        parent.subtreeMemory = true;
    }
}
