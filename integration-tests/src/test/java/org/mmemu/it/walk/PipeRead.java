package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/** {@code read(2)} from a pipe the task holds: as many bytes as the model has queued, or {@code EAGAIN}. */
record PipeRead(String task, String pipe, int max) implements Action {
    static final ActionKind KIND = ActionKind.of(6, (w, rnd) -> {
        ModelTask t = w.anyPipeHolder(rnd);
        if (t == null) {
            return null;
        }
        ModelPipe p = World.pick(t.pipes.keySet().stream().toList(), rnd);
        return new PipeRead(t.id, p.id, rnd.nextInt(1, 5 * ModelPipe.PAGE));
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        ModelPipe p = w.m.pipes.get(pipe);
        if (t == null || p == null || !t.pipes.containsKey(p)) {
            return;
        }
        long expected = p.read(w.m, max);
        if (expected == 0) {
            World.expectErrno(Errno.EAGAIN, toString(), () -> t.task.read(t.pipes.get(p)[0], max));
            return;
        }
        int got;
        try {
            got = t.task.read(t.pipes.get(p)[0], max).length;
        } catch (ErrnoException e) {
            throw new AssertionError(this + ": the model reads " + expected + " bytes, the kernel said " + e.errno(), e);
        }
        if (got != expected) {
            throw new AssertionError(this + ": the model reads " + expected + " bytes, the kernel " + got);
        }
    }
}
