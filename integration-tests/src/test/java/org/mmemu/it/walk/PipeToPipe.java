package org.mmemu.it.walk;

import java.util.List;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/**
 * {@code tee(2)} or {@code splice(2)} between two pipes a task holds, non-blocking: the bytes the
 * model moves (sharing pages, charging nothing) must be those the kernel moved; {@code EAGAIN}
 * when the in pipe is empty or the out pipe full.
 */
record PipeToPipe(boolean splice, String task, String in, String out, int len) implements Action {
    static final ActionKind TEE = kind(false);
    static final ActionKind SPLICE = kind(true);

    private static ActionKind kind(boolean splice) {
        return ActionKind.of(3, (w, rnd) -> {
            ModelTask t = w.anyPipeHolder(rnd);
            if (t == null || t.pipes.size() < 2) {
                return null;
            }
            List<ModelPipe> held = t.pipes.keySet().stream().toList();
            int i = rnd.nextInt(held.size());
            int j = (i + 1 + rnd.nextInt(held.size() - 1)) % held.size();
            return new PipeToPipe(splice, t.id, held.get(i).id, held.get(j).id, rnd.nextInt(1, 5 * ModelPipe.PAGE));
        });
    }

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        ModelPipe ipipe = w.m.pipes.get(in);
        ModelPipe opipe = w.m.pipes.get(out);
        if (t == null || ipipe == null || opipe == null || !t.pipes.containsKey(ipipe) || !t.pipes.containsKey(opipe)) {
            return;
        }
        int inFd = t.pipes.get(ipipe)[0];
        int outFd = t.pipes.get(opipe)[1];
        if (ipipe.ring.isEmpty() || opipe.full()) {
            World.expectErrno(Errno.EAGAIN, toString(), () -> call(t, inFd, outFd));
            return;
        }
        boolean mergeable = w.m.rules.sharedBuffersMergeable();
        long expected = splice ? ipipe.splice(opipe, len, mergeable) : ipipe.tee(opipe, len, mergeable);
        long got;
        try {
            got = call(t, inFd, outFd);
        } catch (ErrnoException e) {
            throw new AssertionError(this + ": the model moves " + expected + " bytes, the kernel said " + e.errno(), e);
        }
        if (got != expected) {
            throw new AssertionError(this + ": the model moves " + expected + " bytes, the kernel " + got);
        }
    }

    private long call(ModelTask t, int inFd, int outFd) {
        return splice ? t.task.splice(inFd, outFd, len) : t.task.tee(inFd, outFd, len);
    }

    @Override
    public String toString() {
        return (splice ? "Splice" : "Tee") + "[task=" + task + ", in=" + in + ", out=" + out + ", len=" + len + "]";
    }
}
