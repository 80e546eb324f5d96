package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/** {@code read(2)} from a pipe the task holds: as many bytes as the model has queued, or {@code EAGAIN}. */
record PipeRead(String task, String pipe, int max) implements Action {
    static final ActionKind KIND = ActionKind.of(6, (w, rnd) -> {
        World.HeldPipe h = w.anyHeldPipe(rnd);
        if (h == null) {
            return null;
        }
        return new PipeRead(h.task().id, h.pipe().id, rnd.nextInt(1, 5 * ModelPipe.PAGE));
    });

    @Override
    public void apply(World w) {
        World.HeldPipe held = w.heldPipe(task, pipe);
        if (held == null) {
            return;
        }
        ModelTask t = held.task();
        ModelPipe p = held.pipe();
        long expected = p.read(w.m, max);
        if (expected == 0) {
            World.expectErrno(Errno.EAGAIN, toString(), () -> t.task.read(held.fds()[0], max));
            return;
        }
        int got;
        try {
            got = t.task.read(held.fds()[0], max).length;
        } catch (ErrnoException e) {
            throw new AssertionError(this + ": the model reads " + expected + " bytes, the kernel said " + e.errno(), e);
        }
        if (got != expected) {
            throw new AssertionError(this + ": the model reads " + expected + " bytes, the kernel " + got);
        }
    }
}
