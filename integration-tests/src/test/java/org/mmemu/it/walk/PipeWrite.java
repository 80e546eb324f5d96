package org.mmemu.it.walk;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/**
 * {@code write(2)} to a pipe the task holds: the bytes the model's {@code pipe_write} takes
 * must be those the kernel took, and a write cut short by a page that could not be had must
 * have met a {@code memory.max}.
 */
record PipeWrite(String task, String pipe, int bytes) implements Action {
    static final ActionKind KIND = ActionKind.of(8, (w, rnd) -> {
        World.HeldPipe h = w.anyHeldPipe(rnd);
        if (h == null) {
            return null;
        }
        int n = rnd.nextBoolean() ? rnd.nextInt(1, 300) : rnd.nextInt(1, 6 * ModelPipe.PAGE);
        return new PipeWrite(h.task().id, h.pipe().id, n);
    });

    @Override
    public void apply(World w) {
        World.HeldPipe held = w.heldPipe(task, pipe);
        if (held == null) {
            return;
        }
        ModelTask t = held.task();
        ModelPipe p = held.pipe();
        long observed;
        Errno errno = null;
        try {
            observed = t.task.write(held.fds()[1], new byte[bytes]);
        } catch (ErrnoException e) {
            errno = e.errno();
            observed = 0;
        }
        ModelPipe.Written model = p.write(w.m, t.cgroup, bytes, observed);
        String what = this + " (kernel: " + (errno == null ? observed + " bytes" : errno) + ", model: " + model + ")";
        Errno expected = model.bytes() > 0 ? null : model.stop() == ModelPipe.Stop.FULL ? Errno.EAGAIN : Errno.ENOMEM;
        if (model.bytes() != observed || errno != expected) {
            throw new AssertionError(what + ": the kernel and the model disagree");
        }
        if (model.stop() == ModelPipe.Stop.NO_PAGE) {
            w.assertMayFail(t.cgroup, Model.PAGE, what);
        }
    }
}
