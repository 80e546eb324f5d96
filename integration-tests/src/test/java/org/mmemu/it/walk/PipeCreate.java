package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.pipe.PipeBuffer;
import org.mmemu.pipe.PipeConfig;

/**
 * {@code pipe()}: a pipe whose {@code pipe_inode_info} and ring of {@value #SLOTS} buffers are
 * kmalloc'd with {@code GFP_KERNEL_ACCOUNT} in the task's context (fs/pipe.c
 * {@code alloc_pipe_info}), so charged to its cgroup as slab objects.
 */
record PipeCreate(String task, String id) implements Action {
    /** {@code PIPE_DEF_BUFFERS}. */
    static final int SLOTS = 16;

    static final ActionKind KIND = ActionKind.of(4, (w, rnd) -> {
        ModelTask t = w.anyTask(rnd);
        return t == null || t.pipes.size() >= 3 ? null : new PipeCreate(t.id, w.newId("p"));
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        if (t == null) {
            return;
        }
        long bytes = 0;
        if (w.m.rules.slabBytesCharged()) {
            bytes = Kmalloced.fullSize(w.k, w.k.get(PipeConfig.class).pipeInodeInfoSize())
                    + Kmalloced.fullSize(w.k, SLOTS * PipeBuffer.SIZE);
        }
        int[] fds;
        try {
            fds = t.task.pipe();
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENFILE) {
                throw e;
            }
            w.assertMayFail(t.cgroup, bytes, toString());
            return;
        }
        ModelPipe p = new ModelPipe(id, t.cgroup, bytes, SLOTS);
        w.m.charge(t.cgroup, bytes);
        w.m.pipes.put(id, p);
        t.pipes.put(p, fds);
    }
}
